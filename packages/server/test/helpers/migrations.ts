import { sql } from 'kysely'
import { migrate, readMigrations, type Db } from '../../src/store/index.ts'

/**
 * Applies migration `id` again to a store whose schema was set back to before it, whatever
 * migrations came after it: only `id` runs, and the later ones stay recorded as applied (their
 * changes are still in the store). `migrate(db)` alone would skip `id` once a later one exists.
 * @returns the ids applied (`[id]`)
 * @example await sql`drop table user_token_audiences`.execute(db.kysely); await reapplyMigration(db, 12)
 */
export async function reapplyMigration(db: Db, id: number): Promise<number[]> {
  const { rows: later } = await sql<{ id: number; name: string }>`
    select id, name from migrations where id > ${id} order by id`.execute(db.kysely)
  await sql`delete from migrations where id >= ${id}`.execute(db.kysely)
  const upTo = (await readMigrations()).filter((m) => m.id <= id)
  const applied = await migrate(db, upTo)
  for (const row of later)
    await sql`insert into migrations (id, name) values (${row.id}, ${row.name})`.execute(db.kysely)
  return applied
}
