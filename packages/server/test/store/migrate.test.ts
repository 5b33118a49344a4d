import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { migrate, readMigrations, schemaVersion, type Db } from '../../src/store/index.ts'
import { splitStatements } from '../../src/store/migrate.ts'
import { createTestDb } from '../helpers/test-db.ts'

let db: Db

beforeAll(async () => {
  db = await createTestDb()
})
afterAll(() => db.close())

describe('migrations', () => {
  it('leaves an up-to-date schema as it is', async () => {
    const all = await readMigrations()
    expect(await migrate(db)).toEqual([])
    expect(await schemaVersion(db.kysely)).toBe(all.at(-1)!.id)
  })

  it('refuses a schema newer than this code, saying what to do', async () => {
    const all = await readMigrations()
    const newer = all.at(-1)!.id + 1
    await sql`insert into migrations (id, name) values (${newer}, 'from_the_future')`.execute(
      db.kysely,
    )
    try {
      await expect(migrate(db)).rejects.toThrow(/upgrade Switchyard before starting it/)
    } finally {
      await sql`delete from migrations where id = ${newer}`.execute(db.kysely)
    }
  })

  it('applies a pending migration once, even when two migrators race', async () => {
    const all = await readMigrations()
    const extra = {
      id: all.at(-1)!.id + 1,
      name: 'test_extra',
      script: 'create table test_extra (id int primary key);',
    }
    const results = await Promise.all([migrate(db, [...all, extra]), migrate(db, [...all, extra])])
    expect(results.flat()).toEqual([extra.id])
    await sql`drop table test_extra`.execute(db.kysely)
    await sql`delete from migrations where id = ${extra.id}`.execute(db.kysely)
  })

  it('splits a script on statement-ending semicolons and drops comments', () => {
    expect(
      splitStatements('-- a; comment\ncreate table a (x int);\ncreate index b on a (x);\n'),
    ).toEqual(['create table a (x int)', 'create index b on a (x)'])
  })

  it('keeps a function body whole: semicolons inside $$ do not split', () => {
    const body = 'begin\n  perform 1;\n  return 2;\nend'
    expect(
      splitStatements(
        `create function f() returns int language plpgsql as $$\n${body}\n$$;\nselect f();\n`,
      ),
    ).toEqual([`create function f() returns int language plpgsql as $$\n${body}\n$$`, 'select f()'])
  })

  it('keeps semicolons and dashes inside quotes and tagged dollar quotes', () => {
    expect(
      splitStatements(
        "insert into t values ('a;b', '--c'); comment on table t is $x$ d; $$ $x$;\nselect 1",
      ),
    ).toEqual([
      "insert into t values ('a;b', '--c')",
      'comment on table t is $x$ d; $$ $x$',
      'select 1',
    ])
  })
})
