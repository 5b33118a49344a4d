import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createVacuumer,
  openPglite,
  query,
  sql,
  warnWithoutAutovacuum,
  type Db,
} from '../../src/store/index.ts'
import { createTestDb } from '../helpers/test-db.ts'

/** PGlite has no autovacuum; the vacuumer applies PostgreSQL's default thresholds itself. */
describe('vacuumer (PGlite)', () => {
  let db: Db
  beforeAll(async () => {
    db = await openPglite()
    await db.exec(`
      create table queue (id int primary key, state text not null);
      create index queue_due on queue (id) where state = 'due';
`)
    await change(`insert into queue select n, 'due' from generate_series(1, 2000) n`)
  })
  afterAll(() => db.close())

  // A backend reports its table counts at most once a second unless told to.
  const change = async (statement: string) => {
    await db.exec(statement)
    await db.exec('select pg_stat_force_next_flush()')
  }
  const dead = async () =>
    (
      await query<{ dead: number }>(
        db.kysely,
        sql`select n_dead_tup::int as dead from pg_stat_user_tables where relname = 'queue'`,
      )
    )[0]!.dead

  it('vacuums a table whose dead rows pass 50 + 20 % of its live ones, and leaves it alone after', async () => {
    const vacuumer = createVacuumer({ db, log: pino({ level: 'silent' }) })
    // The insert alone only needs statistics: an analyze, no vacuum. Then 200 dead rows are
    // under both thresholds (450 to vacuum, 250 changed rows to analyze).
    expect(await vacuumer.runOnce()).toEqual(['queue'])
    const [after] = await query<{ vacuumed: boolean; analyzed: boolean }>(
      db.kysely,
      sql`select last_vacuum is not null as vacuumed, last_analyze is not null as analyzed
          from pg_stat_user_tables where relname = 'queue'`,
    )
    expect(after).toEqual({ vacuumed: false, analyzed: true })
    await change(`update queue set state = 'done' where id <= 200`)
    expect(await dead()).toBe(200)
    expect(await vacuumer.runOnce()).toEqual([])

    await change(`update queue set state = 'done' where id <= 600`)
    expect(await dead()).toBeGreaterThan(50 + 0.2 * 2000)
    expect(await vacuumer.runOnce()).toEqual(['queue'])
    expect(await dead()).toBe(0)
    expect(await vacuumer.runOnce()).toEqual([])
  })
})

describe('warnWithoutAutovacuum', () => {
  it('warns on a PostgreSQL whose autovacuum is off, never on PGlite', async () => {
    const db = await createTestDb()
    try {
      const lines: string[] = []
      const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) })
      await warnWithoutAutovacuum(db, log)
      const off =
        db.kind === 'postgres' &&
        (
          await query<{ off: boolean }>(
            db.kysely,
            sql`select current_setting('autovacuum') = 'off' as off`,
          )
        )[0]!.off
      expect(lines.map((l) => JSON.parse(l).msg)).toEqual(
        off ? [expect.stringMatching(/^PostgreSQL's autovacuum is off/)] : [],
      )
    } finally {
      await db.close()
    }
  })
})
