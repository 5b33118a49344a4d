import { portalRoutes, resolvePortalCredential } from './portal/index.ts'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import type { Logger } from 'pino'
import { auditRoutes, installAuditTrail } from './audit/index.ts'
import type { Config } from './config.ts'
import {
  claimCheckRoutes,
  createClaimChecks,
  createMailer,
  createProber,
  createPruner,
  createSender,
  deliveryRoutes,
  eventRenderingRoutes,
  Dispatcher,
  lifecycleRoutes,
  newWorkerId,
  statsRoutes,
  storeWithDeliveries,
  type Prober,
} from './delivery/index.ts'
import {
  defaultEmailDestination,
  destinationRoutes,
  webhookUrlSetting,
} from './destinations/index.ts'
import { createPublisher, eventRoutes, type Publisher } from './events/index.ts'
import { createInbound } from './inbound/index.ts'
import { configureSandbox } from './sandbox/index.ts'
import { integrationRoutes } from './integrations/index.ts'
import {
  addStoreGauges,
  countingStore,
  createMetrics,
  inboundObserver,
  listenForMetrics,
  metricsRoutes,
  recordDeliveries,
  recordSandboxRuns,
  type Metrics,
} from './metrics/index.ts'
import { dashboardRoutes } from './http/dashboard.ts'
import { buildServer } from './http/server.ts'
import { createLogger } from './log.ts'
import {
  bootstrapEmptyStore,
  createInstanceTokenCheck,
  createKeyResolver,
  projectRoutes,
  type FirstStartCredentials,
  type ProjectCreatedHook,
  type SettingsExtension,
} from './projects/index.ts'
import {
  createVacuumer,
  migrate,
  openDb,
  sql,
  warnWithoutAutovacuum,
  type Db,
} from './store/index.ts'
import { createSyncFeature, type SyncFeature } from './syncs/index.ts'
import { createCredentialOutbox, userRoutes } from './users/index.ts'
import { createSecretBox } from './secrets/index.ts'
import { installTracing, startTracing, tracedSender, tracedStore } from './tracing/index.ts'
import { version } from './version.ts'

// How long a closing engine lets requests in flight finish before it cuts their connections.
const closeGraceMs = 3000

/** A background loop with a lifecycle (the dispatcher, the pruner…). */
export interface Worker {
  name: string
  start(): Promise<void>
  stop(): Promise<void>
}

/** A running Switchyard: the HTTP server, the store and the workers its role runs. */
export interface Engine {
  config: Readonly<Config>
  db: Db
  app: FastifyInstance
  log: Logger
  /** `http://host:port` once listening. */
  url: string
  firstStart: FirstStartCredentials | null
  workers: Worker[]
  /** Sends deliveries; started only when the role runs workers. Tests drive it (`runOnce`, `events`). */
  dispatcher: Dispatcher
  /** Probes paused destinations; a worker like the dispatcher. Tests drive it (`probe`). */
  prober: Prober
  /** The engine's Prometheus registry and instruments (`GET /metrics`). */
  metrics: Metrics
  /** `http://host:port/metrics` when `metricsPort` serves them apart; null on the API port. */
  metricsUrl: string | null
  close(): Promise<void>
}

export interface EngineOptions {
  logger?: Logger
  /** The clock every schedule reads; tests pin it. */
  now?: () => Date
  /** An already open store (tests pass a fresh database per file). */
  db?: Db
  /** Create the default project on an empty store (the CLI's `start` does). */
  bootstrap?: boolean
}

/**
 * The composition root: opens and migrates the store, wires the features, listens, starts workers.
 * @example const engine = await startEngine(loadConfig()); await engine.close()
 */
export async function startEngine(
  config: Readonly<Config>,
  options: EngineOptions = {},
): Promise<Engine> {
  const log = options.logger ?? createLogger(config)
  const now = options.now ?? (() => new Date(Date.now() + config.clockOffsetMs))
  // Before anything is wired: the sender and the publisher's store are traced when it is on.
  const tracing = await startTracing(process.env, log)
  const db = options.db ?? (await openDb(config))
  try {
    await migrate(db)
    await warnWithoutAutovacuum(db, log)
    const metrics = createMetrics({ perDestination: config.metricsPerDestination })
    addStoreGauges(metrics, { db, now, intervalMs: config.metricsIntervalMs })
    const wiring = wireFeatures({ config, db, log, now, metrics })
    const firstStart = options.bootstrap
      ? await bootstrapEmptyStore(db.kysely, {
          configuredAdminToken: config.adminToken,
          publicUrl: config.publicUrl,
          hooks: wiring.onProjectCreated,
        })
      : null
    const checkInstanceToken = await createInstanceTokenCheck(db.kysely, config.adminToken)
    const keys = createKeyResolver(db.kysely, { ttlMs: 10_000 })
    const metricsAccess = {
      token: config.metricsToken,
      checkInstanceToken,
      host: config.host,
    }
    const app = await buildServer({
      logger: log,
      bodyLimitBytes: config.bodyLimitBytes,
      requestTimeoutMs: config.requestTimeoutMs,
      rateLimits: {
        perKey: { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst },
        perTrigger: { perSecond: config.hookRateLimitPerSecond, burst: config.hookRateLimitBurst },
        now: () => now().getTime(),
      },
      hooks: [installTracing, (app) => installAuditTrail(app, { db, now, log })],
      version,
      authenticators: {
        checkInstanceToken,
        projectKey: (token) => keys.resolve(token),
        userToken: wiring.userToken,
        portalSession: (token) => resolvePortalCredential(db.kysely, token, now()),
      },
      checkReady: async () => {
        await sql`select 1`.execute(db.kysely)
      },
      features: [
        projectRoutes({
          db,
          keys,
          onProjectCreated: wiring.onProjectCreated,
          settingsExtensions: wiring.settingsExtensions,
        }),
        eventRoutes({ db, publisher: wiring.publisher, now }),
        ...wiring.routes,
        auditRoutes({ db }),
        ...(config.metrics && config.metricsPort === null
          ? [metricsRoutes(metrics, metricsAccess)]
          : []),
        dashboardRoutes(),
      ],
    })
    const listenOnHttp = config.role !== 'worker'
    const url = listenOnHttp ? await app.listen({ port: config.port, host: config.host }) : ''
    const workers = config.role === 'api' ? [] : wiring.workers
    const stopRecording = config.metrics
      ? [recordDeliveries(metrics, wiring.dispatcher.events), recordSandboxRuns(metrics)]
      : []
    const metricsServer =
      !config.metrics || config.metricsPort === null
        ? null
        : await listenForMetrics(metrics, metricsAccess, config.metricsPort)
    for (const worker of workers) await worker.start()
    let closing: Promise<void> | null = null
    const close = () =>
      (closing ??= (async () => {
        for (const worker of [...workers].reverse())
          await worker.stop().catch((err) => log.error({ err }, `stopping ${worker.name} failed`))
        // Requests in flight get a few seconds to finish; then every connection is cut. Without
        // the cut, keep-alive connections that Node does not count as idle (seen after batch
        // ingest under load) held the close for the 72 s keep-alive timeout.
        const cut = setTimeout(() => app.server.closeAllConnections(), closeGraceMs)
        cut.unref()
        await app.close()
        clearTimeout(cut)
        await metricsServer?.close()
        for (const stop of stopRecording) stop()
        if (!options.db) await db.close()
        // The provider is the process's (other engines may share it): flushed, not shut down.
        await tracing?.flush().catch((err: unknown) => log.warn({ err }, 'flushing spans failed'))
      })())
    const { dispatcher, prober } = wiring
    const metricsUrl = metricsServer?.url ?? null
    return {
      config,
      db,
      app,
      log,
      url,
      firstStart,
      workers,
      dispatcher,
      prober,
      metrics,
      metricsUrl,
      close,
    }
  } catch (error) {
    if (!options.db) await db.close().catch(() => {})
    throw error
  }
}

/** What each feature contributes; features reach each other only through these functions. */
interface FeatureWiring {
  publisher: Publisher
  onProjectCreated: ProjectCreatedHook[]
  settingsExtensions: SettingsExtension[]
  routes: FastifyPluginAsync[]
  workers: Worker[]
  dispatcher: Dispatcher
  prober: Prober
  userToken: SyncFeature['userToken']
}

function wireFeatures(deps: {
  config: Readonly<Config>
  db: Db
  log: Logger
  now: () => Date
  metrics: Metrics
}): FeatureWiring {
  const { config, db, log, now, metrics } = deps
  const publicUrl = config.publicUrl
  const sender = tracedSender(
    createSender({ allowPrivateTargets: config.allowPrivateTargets, now }),
  )
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.smtpFrom, now })
  const claims = createClaimChecks({
    db,
    secretKey: config.secretKey,
    publicUrl,
    ttlMs: config.claimCheckTtlSeconds * 1000,
  })
  const box = createSecretBox({
    secretKey: config.secretKey,
    previousSecretKeys: config.previousSecretKeys,
    dataDir: config.dataDir,
    embedded: db.kind === 'pglite',
  })
  // One publisher for every producer of events (events/publish.ts); this process's dispatcher
  // is woken at once when a commit of its own made deliveries.
  const workerId = newWorkerId()
  const storeEvents = storeWithDeliveries({
    now,
    signal: db.signal,
    wakeLocal: () => dispatcher.wake(),
    origin: workerId,
  })
  const publisher = createPublisher({
    store: tracedStore(config.metrics ? countingStore(metrics, storeEvents) : storeEvents),
    now,
  })
  const dispatcher = new Dispatcher({
    db,
    publisher,
    workerId,
    log,
    now,
    sender,
    mailer,
    publicUrl,
    claims,
    box,
    options: {
      batchSize: config.deliveryBatchSize,
      claimDepth: config.deliveryClaimDepth,
      maxInFlight: config.deliveryMaxInFlight,
      pollMs: config.deliveryPollMs,
      jitter: config.deliveryJitter,
    },
  })
  const lifecycle = { db, publisher, box, now, sender, mailer, publicUrl }
  // Probes ride on the poll's cadence, at most every 10 s: one indexed read of an (almost
  // always) empty set, and tests that turn the poll off drive probes themselves.
  const prober = createProber(
    { ...lifecycle, log, wake: () => dispatcher.wake() },
    { intervalMs: Math.max(config.deliveryPollMs, 10_000) },
  )
  // One pool per process: every engine in it shares the threads (tests start several).
  configureSandbox({ threads: config.sandboxThreads, queuePerTenant: config.sandboxQueue })
  const inbound = createInbound({
    db,
    box,
    publisher,
    log,
    now,
    publicUrl,
    allowPrivateTargets: config.allowPrivateTargets,
    hookBodyBytesInFlight: config.hookBodyBytesInFlight,
    observe: config.metrics ? inboundObserver(metrics) : undefined,
  })
  const syncs = createSyncFeature({
    db,
    log,
    now,
    publisher,
    filesystem: {
      roots: config.fsConnectorRoots,
      dataDir: config.dataDir,
      limits: {
        maxFiles: config.fsConnectorMaxFiles,
        maxDepth: config.fsConnectorMaxDepth,
        maxPassBytes: config.fsConnectorMaxPassBytes,
      },
    },
  })
  return {
    publisher,
    onProjectCreated: [defaultEmailDestination({ now, box })],
    settingsExtensions: [webhookUrlSetting({ now, box }), syncs.settings],
    routes: [
      destinationRoutes({ db, now, box }),
      portalRoutes({ db, now, publicUrl }),
      lifecycleRoutes(lifecycle),
      deliveryRoutes({ db, now, sender }),
      statsRoutes({ db, now }),
      claimCheckRoutes({ claims, now }),
      eventRenderingRoutes({ db, publicUrl }),
      userRoutes({ db, box, publisher, now, hooks: inbound.credentialHooks }),
      integrationRoutes({ db, box, now, tokenUses: inbound.tokenUses }),
      ...inbound.routes,
      syncs.routes,
    ],
    workers: [
      dispatcher,
      prober,
      createPruner({ db, log, now, claims }),
      createCredentialOutbox({ db, publisher, log, hooks: inbound.credentialHooks }),
      ...inbound.workers,
      syncs.scheduler,
      // PGlite has no autovacuum of its own.
      ...(db.kind === 'pglite' ? [createVacuumer({ db, log })] : []),
    ],
    dispatcher,
    prober,
    userToken: syncs.userToken,
  }
}
