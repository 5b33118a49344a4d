import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
// int8 and numeric arrive as strings from pg; every count we read is cast to int in SQL instead.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
/** Opens PostgreSQL when `databaseUrl` is set, else PGlite in `dataDir` (`memory://` for tests). */
export async function openDb(options) {
    return options.databaseUrl
        ? openPostgres(options.databaseUrl)
        : openPglite(options.dataDir === 'memory://' ? undefined : options.dataDir);
}
/** @example const db = await openPglite() // in memory */
export async function openPglite(dataDir, loadDataDir) {
    if (dataDir)
        await fs.mkdir(path.dirname(dataDir), { recursive: true });
    const pglite = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(loadDataDir ? { loadDataDir } : {}) });
    const kysely = new Kysely({ dialect: new PGliteDialect(pglite) });
    let closed = false;
    return {
        kind: 'pglite',
        kysely,
        exec: async (script) => {
            await pglite.exec(script);
        },
        listen: async (channel, onPayload) => pglite.listen(channel, onPayload),
        dumpDataDir: async () => (await pglite.dumpDataDir('gzip')),
        close: async () => {
            if (closed)
                return;
            closed = true;
            // Closing PGlite checkpoints and releases the data dir cleanly.
            await pglite.close();
        },
    };
}
/** @example const db = await openPostgres('postgres://postgres@127.0.0.1/switchyard') */
export async function openPostgres(connectionString) {
    const pool = new pg.Pool({ connectionString, max: 20, idleTimeoutMillis: 30_000 });
    // A dropped connection (server restart) surfaces here; the pool replaces it on next use.
    pool.on('error', () => { });
    const kysely = new Kysely({ dialect: new PostgresDialect({ pool }) });
    return {
        kind: 'postgres',
        kysely,
        exec: async (script) => {
            await pool.query(script);
        },
        listen: (channel, onPayload) => listenPostgres(connectionString, channel, onPayload),
        close: async () => {
            await kysely.destroy();
        },
    };
}
/**
 * LISTEN needs a dedicated connection. It reconnects with a short backoff when PostgreSQL
 * restarts; missed notifications are covered by the listeners' polling fallback.
 */
async function listenPostgres(connectionString, channel, onPayload) {
    let client = null;
    let stopped = false;
    const connect = async () => {
        if (stopped)
            return;
        const next = new pg.Client({ connectionString });
        next.on('notification', (message) => onPayload(message.payload ?? ''));
        next.on('error', () => reconnectSoon());
        next.on('end', () => reconnectSoon());
        try {
            await next.connect();
            await next.query(`listen ${quoteIdent(channel)}`);
            client = next;
        }
        catch {
            await next.end().catch(() => { });
            reconnectSoon();
        }
    };
    let pending = null;
    const reconnectSoon = () => {
        if (stopped || pending)
            return;
        client = null;
        pending = setTimeout(() => {
            pending = null;
            void connect();
        }, 500);
        pending.unref();
    };
    await connect();
    return async () => {
        stopped = true;
        if (pending)
            clearTimeout(pending);
        await client?.end().catch(() => { });
    };
}
function quoteIdent(name) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name))
        throw new Error(`invalid channel name ${name}`);
    return `"${name}"`;
}
/**
 * Runs `fn` in one transaction on either store.
 * @example await withTransaction(db.kysely, async (tx) => insertEvent(tx, event))
 */
export async function withTransaction(q, fn) {
    return q.transaction().execute(fn);
}
/**
 * Runs a raw SQL template and returns its rows.
 * @example const rows = await query<{ id: string }>(q, sql`select id from projects`)
 */
export async function query(q, statement) {
    const result = await statement.execute(q);
    return result.rows;
}
/** Sends a NOTIFY on either store (PGlite delivers it in-process). */
export async function notify(q, channel, payload = '') {
    await sql `select pg_notify(${channel}, ${payload})`.execute(q);
}
export { sql };
