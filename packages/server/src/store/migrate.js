import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
// Any constant works; it only has to be the same for every Switchyard process.
const migrationLockKey = 7_312_001;
/** Reads `migrations/NNNN_name.sql` in order. */
export async function readMigrations(dir = migrationsDir) {
    const files = (await fs.readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
    return Promise.all(files.map(async (file) => ({
        id: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        script: await fs.readFile(path.join(dir, file), 'utf8'),
    })));
}
/**
 * Applies pending migrations, each in its own transaction under an advisory lock so concurrent
 * starters wait for each other. Refuses a schema newer than this code.
 * @returns the ids applied by this call
 */
export async function migrate(db, migrations) {
    const all = migrations ?? (await readMigrations());
    await db.exec(`create table if not exists migrations (
    id int primary key, name text not null, applied_at timestamptz not null default now())`);
    const latestKnown = all.at(-1)?.id ?? 0;
    const applied = [];
    for (const migration of all) {
        const done = await db.kysely.transaction().execute(async (tx) => {
            await sql `select pg_advisory_xact_lock(${migrationLockKey})`.execute(tx);
            const current = await schemaVersion(tx);
            if (current > latestKnown)
                throw schemaTooNew(current, latestKnown);
            if (current >= migration.id)
                return false;
            await sql `insert into migrations (id, name) values (${migration.id}, ${migration.name})`.execute(tx);
            // Statements run one by one: the extended protocol (PGlite's query) takes one at a time.
            for (const statement of splitStatements(migration.script))
                await sql.raw(statement).execute(tx);
            return true;
        });
        if (done)
            applied.push(migration.id);
    }
    const current = await schemaVersion(db.kysely);
    if (current > latestKnown)
        throw schemaTooNew(current, latestKnown);
    return applied;
}
/** @returns the highest applied migration id, 0 on an empty store */
export async function schemaVersion(q) {
    const { rows } = await sql `select max(id)::int as v from migrations`.execute(q);
    return rows[0]?.v ?? 0;
}
function schemaTooNew(current, latestKnown) {
    const pad = (n) => String(n).padStart(4, '0');
    return new Error(`Database schema is at ${pad(current)} but this Switchyard understands up to ${pad(latestKnown)}; ` +
        'upgrade Switchyard before starting it against this database.');
}
/** Splits a migration on statement-ending semicolons (our migrations hold no function bodies). */
export function splitStatements(script) {
    const withoutComments = script.replace(/--[^\n]*/g, '');
    return withoutComments
        .split(/;\s*(?:\n|$)/)
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
}
