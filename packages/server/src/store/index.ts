export {
  relaxCommit,
  countAffected,
  openDb,
  openPglite,
  openPostgres,
  withTransaction,
  query,
  notify,
  prepared,
  sql,
} from './db.ts'
export type { Db, Queryable, Tx } from './db.ts'
export type { RawBuilder } from 'kysely'
export type { Signal } from './signal.ts'
export { ListenFeed } from './listen-feed.ts'
export { groupCommit } from './group-commit.ts'
export { projectsOf, type ProjectTable } from './projects-of.ts'
export { createVacuumer, warnWithoutAutovacuum } from './vacuum.ts'
export { migrate, readMigrations, schemaVersion } from './migrate.ts'
export { checkPostgres, parsePostgresUrl } from './postgres-check.ts'
