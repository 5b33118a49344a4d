export { openDb, openPglite, openPostgres, withTransaction, query, notify, sql } from "./db.js";
export { migrate, readMigrations, schemaVersion } from "./migrate.js";
