import { pino } from 'pino';
import { eventRoutes } from "./events/index.js";
import { buildServer } from "./http/server.js";
import { bootstrapEmptyStore, createInstanceTokenCheck, createKeyResolver, projectRoutes, } from "./projects/index.js";
import { migrate, openDb, sql } from "./store/index.js";
import { version } from "./version.js";
/**
 * The composition root: opens and migrates the store, wires the features, listens, starts workers.
 * @example const engine = await startEngine(loadConfig()); await engine.close()
 */
export async function startEngine(config, options = {}) {
    const log = options.logger ?? pino({ level: config.logLevel });
    const now = options.now ?? (() => new Date());
    const db = options.db ?? (await openDb(config));
    try {
        await migrate(db);
        const wiring = wireFeatures({ config, db, log, now });
        const firstStart = options.bootstrap
            ? await bootstrapEmptyStore(db.kysely, {
                configuredAdminToken: config.adminToken,
                publicUrl: config.publicUrl,
                hooks: wiring.onProjectCreated,
            })
            : null;
        const checkInstanceToken = await createInstanceTokenCheck(db.kysely, config.adminToken);
        const keys = createKeyResolver(db.kysely, { ttlMs: 10_000 });
        const app = await buildServer({
            logger: log,
            bodyLimitBytes: config.bodyLimitBytes,
            version,
            authenticators: { checkInstanceToken, projectKey: (token) => keys.resolve(token) },
            checkReady: async () => {
                await sql `select 1`.execute(db.kysely);
            },
            features: [
                projectRoutes({
                    db,
                    keys,
                    onProjectCreated: wiring.onProjectCreated,
                    settingsExtensions: wiring.settingsExtensions,
                }),
                eventRoutes({ db, fanOut: wiring.fanOut, now }),
                ...wiring.routes,
            ],
        });
        const listenOnHttp = config.role !== 'worker';
        const url = listenOnHttp ? await app.listen({ port: config.port, host: config.host }) : '';
        const workers = config.role === 'api' ? [] : wiring.workers;
        for (const worker of workers)
            await worker.start();
        let closing = null;
        const close = () => (closing ??= (async () => {
            for (const worker of [...workers].reverse())
                await worker.stop().catch((err) => log.error({ err }, `stopping ${worker.name} failed`));
            await app.close();
            if (!options.db)
                await db.close();
        })());
        return { config, db, app, log, url, firstStart, workers, close };
    }
    catch (error) {
        if (!options.db)
            await db.close().catch(() => { });
        throw error;
    }
}
function wireFeatures(_deps) {
    return {
        fanOut: async () => { },
        onProjectCreated: [],
        settingsExtensions: [],
        routes: [],
        workers: [],
    };
}
