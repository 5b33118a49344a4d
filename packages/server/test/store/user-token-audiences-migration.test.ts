import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isSqlState, sqlState } from '../../src/errors.ts'
import type { Db } from '../../src/store/index.ts'
import { reapplyMigration } from '../helpers/migrations.ts'
import { createTestDb } from '../helpers/test-db.ts'

/*
 * Migration 0012 on a database installed before it, where two projects may list one audience
 * (issue #24, item 5): it must not fail, and must give a contested audience to neither.
 */

let db: Db
const [p1, p2, p3] = [randomUUID(), randomUUID(), randomUUID()]

beforeAll(async () => {
  db = await createTestDb()
  // Back to the schema before 0012: audiences as a text[] per project, no unique owner.
  for (const statement of [
    sql`drop table user_token_audiences`,
    sql`alter table user_token_keys add column audiences text[] not null default '{}'`,
  ])
    await statement.execute(db.kysely)
  const rows: [string, string[]][] = [
    [p1, ['shared', 'one-a', 'one-b']],
    [p2, ['two', 'shared']],
    [p3, ['three']],
  ]
  for (const [id, audiences] of rows) {
    await sql`insert into projects (id, name) values (${id}, 'p')`.execute(db.kysely)
    await sql`
      insert into user_token_keys (project_id, public_key, audiences, updated_at)
      values (${id}, 'pem', ${audiences}::text[], now())`.execute(db.kysely)
  }
})
afterAll(() => db.close())

describe('migration 0012', () => {
  it('keeps each project its own audiences in order and gives a contested one to none', async () => {
    expect(await reapplyMigration(db, 12)).toEqual([12])
    const { rows } = await sql<{ project_id: string; audience: string }>`
      select project_id, audience from user_token_audiences
      order by project_id, position`.execute(db.kysely)
    const byProject = (id: string) => rows.filter((r) => r.project_id === id).map((r) => r.audience)
    expect(byProject(p1)).toEqual(['one-a', 'one-b'])
    expect(byProject(p2)).toEqual(['two'])
    expect(byProject(p3)).toEqual(['three'])
    expect(rows.some((r) => r.audience === 'shared')).toBe(false)
  })

  it('lets the database refuse a second owner of an audience', async () => {
    const error = await sql`
      insert into user_token_audiences (audience, project_id, position)
      values ('three', ${p1}, 9)`
      .execute(db.kysely)
      .catch((e: unknown) => e)
    expect(isSqlState(error, sqlState.uniqueViolation)).toBe(true)
  })
})
