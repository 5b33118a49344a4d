export { openDb, openPglite, openPostgres, withTransaction, query, notify, sql } from './db.ts'
export type { Db, Queryable } from './db.ts'
export { migrate, readMigrations, schemaVersion } from './migrate.ts'
