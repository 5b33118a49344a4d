import fs from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPglite, openPostgres, query, sql, type Db } from '../../src/store/index.ts'
import { withDatabase } from '../global-setup.ts'
import { createTestDb } from '../helpers/test-db.ts'

/*
 * src/store/schema.sql is what the migrations produce (`npm run schema -w switchyard` dumps it
 * from PostgreSQL). This loads it into an empty database of the store under test and compares
 * the catalog with the migrated test database's: tables, columns in order with types, defaults
 * and comments, constraints, indexes, functions and triggers. It runs on both stores, so a
 * migration added without regenerating schema.sql fails either run.
 */

let migrated: Db
let loaded: Db & { drop?: () => Promise<void> }

beforeAll(async () => {
  migrated = await createTestDb()
  loaded = await createEmptyDb()
  await loaded.exec(
    await fs.readFile(new URL('../../src/store/schema.sql', import.meta.url), 'utf8'),
  )
}, 120_000)
afterAll(async () => {
  await migrated?.close()
  await loaded?.close()
  await loaded?.drop?.()
})

describe('schema.sql', () => {
  it('describes the schema the migrations produce', async () => {
    const fromMigrations = await describeSchema(migrated)
    expect(fromMigrations.length).toBeGreaterThan(100)
    // The migrations bookkeeping table is in both: migrate() creates it, pg_dump dumps it.
    expect(
      await describeSchema(loaded),
      'src/store/schema.sql is stale: run `npm run schema -w switchyard` (DATABASE_URL set)',
    ).toEqual(fromMigrations)
  })
})

async function createEmptyDb(): Promise<Db & { drop?: () => Promise<void> }> {
  const url = process.env.DATABASE_URL
  if (!url) return openPglite()
  const name = `switchyard_schema_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const db = await openPostgres(withDatabase(url, name))
  const drop = async () => {
    const dropper = new pg.Client({ connectionString: url })
    await dropper.connect()
    await dropper.query(`drop database if exists ${name} with (force)`)
    await dropper.end()
  }
  return Object.assign(db, { drop })
}

/** One line per object of the public schema, as the catalog (not the DDL text) describes it. */
async function describeSchema(db: Db): Promise<string[]> {
  const rows = await query<{ line: string }>(
    db.kysely,
    sql`
      select 'table ' || c.relname || ': ' || c.relkind::text || c.relpersistence::text
             || coalesce(' ' || array_to_string(c.reloptions, ','), '')
             || coalesce(' -- ' || obj_description(c.oid, 'pg_class'), '') as line
        from pg_class c
       where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'S')
      union all
      select 'column ' || c.relname || '.' || a.attname || ': #'
             || row_number() over (partition by c.oid order by a.attnum) || ' '
             || format_type(a.atttypid, a.atttypmod)
             || case when a.attnotnull then ' not null' else '' end
             || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
             || coalesce(' -- ' || col_description(c.oid, a.attnum), '')
        from pg_class c
        join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
       where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
      union all
      select 'constraint ' || conrelid::regclass::text || '.' || conname || ': '
             || pg_get_constraintdef(oid)
        from pg_constraint
       where connamespace = 'public'::regnamespace
      union all
      select 'index ' || i.indexrelid::regclass::text || ': ' || pg_get_indexdef(i.indexrelid)
        from pg_index i
        join pg_class c on c.oid = i.indexrelid
       where c.relnamespace = 'public'::regnamespace
      union all
      select 'function ' || p.oid::regprocedure::text || ': ' || pg_get_functiondef(p.oid)
        from pg_proc p
       where p.pronamespace = 'public'::regnamespace
      union all
      select 'trigger ' || t.tgname || ': ' || pg_get_triggerdef(t.oid)
        from pg_trigger t
        join pg_class c on c.oid = t.tgrelid
       where not t.tgisinternal and c.relnamespace = 'public'::regnamespace
    `,
  )
  return rows.map((r) => r.line).sort()
}
