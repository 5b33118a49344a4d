import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { query, sql, type Db } from '../../src/store/index.ts'
import { createTestDb } from '../helpers/test-db.ts'

/*
 * docs/scaling.md, "Citus": every tenant table is distributed by `project_id`, so every tenant
 * table must carry that column. This lists the migrated schema's tables and fails for a new
 * table that has no `project_id` and is not named below with its reason, and for a table named
 * below that has gained the column (take it off the list: the gap is closed).
 */

/** Tables that belong to the instance, not to a project (Citus: reference or local tables). */
const instanceTables: Record<string, string> = {
  migrations: 'the migration bookkeeping',
  instance_settings: 'instance-wide settings',
  server_keys: 'the instance signing keys',
  // Its `id` is the project id: distributed by it, colocated with the tenant tables.
  projects: 'the tenants themselves',
}

/**
 * Tenant tables that still reach their project through a parent row (the column named). Each is
 * a row of docs/scaling.md's "Not yet distributable" table; adding `project_id` to one takes it
 * off this list.
 */
const reachedThroughParent: Record<string, string> = {
  claim_checks: 'delivery_id',
  delivery_attempts: 'delivery_id',
  delivery_sequences: 'destination_id',
  destination_timeline: 'destination_id',
  handshake_windows: 'trigger_id',
  sync_record_contents: 'record_id',
  sync_records: 'sync_id',
  sync_run_pages: 'run_id',
  sync_runs: 'sync_id',
  trigger_values: 'trigger_id',
}

let db: Db
let columns: Map<string, Set<string>>

beforeAll(async () => {
  db = await createTestDb()
  const rows = await query<{ table_name: string; column_name: string }>(
    db.kysely,
    sql`select c.table_name, c.column_name from information_schema.columns c
        join information_schema.tables t using (table_schema, table_name)
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'`,
  )
  columns = new Map()
  for (const row of rows) {
    if (!columns.has(row.table_name)) columns.set(row.table_name, new Set())
    columns.get(row.table_name)!.add(row.column_name)
  }
}, 120_000)
afterAll(() => db?.close())

describe('tenant tables', () => {
  it('carry project_id, unless named with their reason', () => {
    expect(columns.size).toBeGreaterThan(20)
    const missing = [...columns]
      .filter(([, cols]) => !cols.has('project_id'))
      .map(([table]) => table)
      .filter((table) => !(table in instanceTables) && !(table in reachedThroughParent))
    expect(
      missing,
      'a new tenant table needs a project_id column (docs/scaling.md); an instance table goes in instanceTables with its reason',
    ).toEqual([])
  })

  it('lists only gaps that are still open, each through a column that exists', () => {
    for (const [table, parent] of Object.entries(reachedThroughParent)) {
      const cols = columns.get(table)
      expect(cols, `${table} is gone: take it off reachedThroughParent`).toBeDefined()
      expect(cols!.has('project_id'), `${table} has project_id now: take it off the list`).toBe(
        false,
      )
      expect(cols!.has(parent), `${table}.${parent}`).toBe(true)
    }
    for (const table of Object.keys(instanceTables))
      expect(columns.has(table), `${table} is gone: take it off instanceTables`).toBe(true)
  })
})
