import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withTransaction, type Db } from '../../src/store/index.ts'
import { createTestDb } from '../helpers/test-db.ts'

/*
 * A failed statement's error is logged whole (pino prints every own field). PGlite attached the
 * statement's parameters, and both stores echo parts of them in `detail` and `where`: an event's
 * data, a sealed secret, an idempotency key ended up in the log. What stays: the SQL text, which
 * holds only $n placeholders, and the SQLSTATE to branch on.
 */

const secret = 's3cr3t-value-4f9a'
let db: Db

beforeAll(async () => {
  db = await createTestDb()
})
afterAll(() => db?.close())

/** The error as a log line would print it: every own enumerable field, JSON-encoded. */
async function logged(run: () => Promise<unknown>) {
  const error = await run().then(
    () => expect.unreachable('the statement should fail'),
    (e: unknown) => e as Record<string, unknown>,
  )
  return { error, line: JSON.stringify({ ...error, message: String(error.message) }) }
}

describe('store errors', () => {
  it('carry no parameter values, but keep the SQL text and the SQLSTATE', async () => {
    const { error, line } = await logged(() =>
      sql`select ${`{"token":"${secret}", "broken": }`}::jsonb as doc`.execute(db.kysely),
    )
    expect(line).not.toContain(secret)
    expect(error.code).toBe('22P02')
    expect(String(error.query)).toContain('::jsonb as doc')
  })

  it('carry no key values from a unique violation, inside a transaction too', async () => {
    await sql`create temporary table redaction_probe (k text primary key)`.execute(db.kysely)
    await sql`insert into redaction_probe values (${secret})`.execute(db.kysely)
    const { error, line } = await logged(() =>
      withTransaction(db.kysely, (tx) =>
        sql`insert into redaction_probe values (${secret})`.execute(tx),
      ),
    )
    expect(line).not.toContain(secret)
    expect(error.code).toBe('23505')
    expect(String(error.query)).toContain('insert into redaction_probe')
  })
})
