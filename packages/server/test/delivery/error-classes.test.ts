import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorClasses } from '../../src/delivery/types.ts'
import { query, sql, type Db } from '../../src/store/index.ts'
import { createTestDb } from '../helpers/test-db.ts'

/*
 * An attempt's error class is checked twice: by the TypeScript union (and the API's enum built
 * from `errorClasses`) and by the `delivery_attempts_error_class_check` constraint. A class the
 * code knows and the constraint does not makes the result writer's batch fail as bad data: it is
 * dropped and its deliveries are sent again after their leases, over and over. The two lists
 * change together or this fails.
 */

let db: Db

beforeAll(async () => {
  db = await createTestDb()
}, 120_000)
afterAll(() => db?.close())

describe('attempt error classes', () => {
  it('are the same in the code and in the store constraint', async () => {
    const [row] = await query<{ definition: string }>(
      db.kysely,
      sql`select pg_get_constraintdef(oid) as definition from pg_constraint
          where conname = 'delivery_attempts_error_class_check'`,
    )
    expect(row, 'the constraint exists').toBeDefined()
    const allowed = [...row!.definition.matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1])
    expect(allowed.toSorted()).toEqual([...errorClasses].toSorted())
  })
})
