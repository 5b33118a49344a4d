import { availableParallelism } from 'node:os'
import path from 'node:path'

/**
 * One typed config object. This is the only module that reads `process.env`.
 * Precedence: defaults < environment < flags (the CLI passes flags as `overrides`).
 */
export interface Config {
  port: number
  host: string
  dataDir: string
  databaseUrl: string | null
  publicUrl: string
  secretKey: string | null
  /** Keys that sealed secrets before `secretKey`: opened with, never sealed with. (Default: none) */
  previousSecretKeys: string[]
  adminToken: string | null
  smtpUrl: string | null
  /** The From of email destinations' mail. (Default: Switchyard <switchyard@{publicUrl's host}>) */
  smtpFrom: string
  allowPrivateTargets: boolean
  role: Role
  logLevel: string
  /** `pretty` (one human line per entry), `json` (JSON lines), or `auto`: pretty on a terminal. */
  logFormat: LogFormat
  bodyLimitBytes: number
  /** Dispatcher: most sends in flight per process, all destinations together. (Default: 500) */
  deliveryMaxInFlight: number
  /** Dispatcher: most deliveries one claim leases. (Default: 100) */
  deliveryBatchSize: number
  /** Dispatcher: a healthy destination is claimed this many times its concurrency limit deep. (Default: 3) */
  deliveryClaimDepth: number
  /** Dispatcher: fallback poll when no NOTIFY arrives, in ms. (Default: 1000) */
  deliveryPollMs: number
  /** Retry jitter spread: 0.2 waits 80–120 % of each step; 0 makes schedules exact. (Default: 0.2) */
  deliveryJitter: number
  /** Requests per second each API key may make, sustained. (Default: 10000) */
  rateLimitPerSecond: number
  /** Requests an API key may make at once above the sustained rate. (Default: 20000) */
  rateLimitBurst: number
  /** Requests per second each trigger's /hooks URL accepts, sustained. (Default: 10000) */
  hookRateLimitPerSecond: number
  /** Requests a trigger's /hooks URL accepts at once above the sustained rate. (Default: 20000) */
  hookRateLimitBurst: number
  /**
   * Body bytes all /hooks requests of one process may hold at once, counted as they are read;
   * once spent, 503 with Retry-After before a new body is read. (Default: 67108864, 64 MiB)
   */
  hookBodyBytesInFlight: number
  /** Most time a client may take to send a whole request (headers and body), in ms. (Default: 30000) */
  requestTimeoutMs: number
  /** How long a claim-check URL (a body above a destination's maxPayloadBytes) stays valid, in s. (Default: 3600) */
  claimCheckTtlSeconds: number
  /** Sandbox threads running triggers' custom code, one per core by default. (Default: cores) */
  sandboxThreads: number
  /** Custom-code runs one project may have waiting for a sandbox thread; past it, 503. (Default: 32) */
  sandboxQueue: number
  /**
   * Added to the wall clock the engine reads (`now()`), in ms; may be negative. A test and ops
   * knob: the chaos suite starts a worker with its clock jumped ahead or behind. (Default: 0)
   */
  clockOffsetMs: number
  /**
   * Directories the built-in `filesystem` sync connector may read below (absolute). Empty turns
   * the connector off: a project admin key would otherwise read any file the server can.
   * (Default: none)
   */
  fsConnectorRoots: string[]
  /** Files and directories one `filesystem` sync pass may visit. (Default: 10000) */
  fsConnectorMaxFiles: number
  /** Directory levels below a `filesystem` sync's path one pass may descend. (Default: 16) */
  fsConnectorMaxDepth: number
  /** Content bytes one `filesystem` sync pass may read, all files together. (Default: 1 GiB) */
  fsConnectorMaxPassBytes: number
  /** Count and serve Prometheus metrics (`GET /metrics`). (Default: true) */
  metrics: boolean
  /**
   * Serve `/metrics` on this port instead of the API port (a worker-only process serves it only
   * here). (Default: none, on the API port)
   */
  metricsPort: number | null
  /**
   * Bearer token a scraper sends to `/metrics`. Without one, `/metrics` is open when the engine
   * listens on loopback only and needs the instance admin token otherwise. (Default: none)
   */
  metricsToken: string | null
  /** Destination health per destination instead of per project (label cardinality). (Default: false) */
  metricsPerDestination: boolean
  /** How often the backlog and destination gauges read the store, at most, in ms. (Default: 15000) */
  metricsIntervalMs: number
}

export type Role = 'api' | 'worker' | 'all'
const roles: readonly Role[] = ['api', 'worker', 'all']
export type LogFormat = 'auto' | 'json' | 'pretty'
const logFormats: readonly LogFormat[] = ['auto', 'json', 'pretty']
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * A setting that cannot be used, named with the variable (or flag) to fix. The CLI prints it as
 * one line: `switchyard: invalid_setting: SWITCHYARD_PORT must be a port number (0-65535), got "x"`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly code = 'invalid_setting'
}

const defaults = {
  port: 8787,
  host: '127.0.0.1',
  dataDir: './.switchyard',
  databaseUrl: null,
  publicUrl: '',
  secretKey: null,
  previousSecretKeys: [],
  adminToken: null,
  smtpUrl: null,
  smtpFrom: '',
  allowPrivateTargets: false,
  role: 'all',
  logLevel: 'info',
  logFormat: 'auto',
  bodyLimitBytes: 1024 * 1024,
  deliveryMaxInFlight: 500,
  deliveryBatchSize: 100,
  deliveryClaimDepth: 3,
  deliveryPollMs: 1000,
  deliveryJitter: 0.2,
  rateLimitPerSecond: 10_000,
  rateLimitBurst: 20_000,
  // A busy provider (HubSpot, Shopify) sends thousands a second to one app-level URL.
  hookRateLimitPerSecond: 10_000,
  hookRateLimitBurst: 20_000,
  hookBodyBytesInFlight: 64 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  claimCheckTtlSeconds: 3600,
  sandboxThreads: Math.max(1, availableParallelism()),
  sandboxQueue: 32,
  clockOffsetMs: 0,
  fsConnectorRoots: [],
  fsConnectorMaxFiles: 10_000,
  fsConnectorMaxDepth: 16,
  fsConnectorMaxPassBytes: 1024 * 1024 * 1024,
  metrics: true,
  metricsPort: null,
  metricsToken: null,
  metricsPerDestination: false,
  metricsIntervalMs: 15_000,
} satisfies Config

/**
 * Builds the config from defaults, the environment and explicit overrides, then freezes it.
 * `localDevelopment` (the CLI's `start`) allows private delivery targets on the embedded store
 * when SWITCHYARD_ALLOW_PRIVATE_TARGETS is unset, so local receivers work out of the box.
 * @example loadConfig(process.env, { port: 0 })
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Config> = {},
  options: { localDevelopment?: boolean } = {},
): Readonly<Config> {
  const fromEnv: Partial<Config> = dropUndefined({
    port: env.SWITCHYARD_PORT ? parsePort(env.SWITCHYARD_PORT, 'SWITCHYARD_PORT') : undefined,
    host: env.SWITCHYARD_HOST,
    dataDir: env.SWITCHYARD_DATA_DIR,
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl: env.SWITCHYARD_PUBLIC_URL ? parsePublicUrl(env.SWITCHYARD_PUBLIC_URL) : undefined,
    secretKey: env.SWITCHYARD_SECRET_KEY || undefined,
    previousSecretKeys: parseList(env.SWITCHYARD_PREVIOUS_SECRET_KEYS),
    adminToken: env.SWITCHYARD_ADMIN_TOKEN || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    smtpFrom: env.SMTP_FROM || undefined,
    allowPrivateTargets: parseBool(env.SWITCHYARD_ALLOW_PRIVATE_TARGETS),
    role: env.SWITCHYARD_ROLE ? parseRole(env.SWITCHYARD_ROLE, 'SWITCHYARD_ROLE') : undefined,
    logLevel: oneOf(env, 'SWITCHYARD_LOG_LEVEL', logLevels),
    logFormat: oneOf(env, 'SWITCHYARD_LOG_FORMAT', logFormats),
    deliveryMaxInFlight: parsePositiveInt(env, 'SWITCHYARD_DELIVERY_MAX_IN_FLIGHT'),
    deliveryBatchSize: parsePositiveInt(env, 'SWITCHYARD_DELIVERY_BATCH_SIZE'),
    deliveryClaimDepth: parsePositiveInt(env, 'SWITCHYARD_DELIVERY_CLAIM_DEPTH'),
    deliveryPollMs: parsePositiveInt(env, 'SWITCHYARD_DELIVERY_POLL_MS'),
    rateLimitPerSecond: parsePositiveInt(env, 'SWITCHYARD_RATE_LIMIT_PER_SECOND'),
    rateLimitBurst: parsePositiveInt(env, 'SWITCHYARD_RATE_LIMIT_BURST'),
    hookRateLimitPerSecond: parsePositiveInt(env, 'SWITCHYARD_HOOK_RATE_LIMIT_PER_SECOND'),
    hookRateLimitBurst: parsePositiveInt(env, 'SWITCHYARD_HOOK_RATE_LIMIT_BURST'),
    hookBodyBytesInFlight: parsePositiveInt(env, 'SWITCHYARD_HOOK_BODY_BYTES_IN_FLIGHT'),
    requestTimeoutMs: parsePositiveInt(env, 'SWITCHYARD_REQUEST_TIMEOUT_MS'),
    claimCheckTtlSeconds: parsePositiveInt(env, 'SWITCHYARD_CLAIM_CHECK_TTL_SECONDS'),
    sandboxThreads: parsePositiveInt(env, 'SWITCHYARD_SANDBOX_THREADS'),
    sandboxQueue: parsePositiveInt(env, 'SWITCHYARD_SANDBOX_QUEUE'),
    clockOffsetMs: parseInteger(env, 'SWITCHYARD_CLOCK_OFFSET_MS'),
    fsConnectorRoots: parseRoots(env.SWITCHYARD_FS_CONNECTOR_ROOTS),
    fsConnectorMaxFiles: parsePositiveInt(env, 'SWITCHYARD_FS_CONNECTOR_MAX_FILES'),
    fsConnectorMaxDepth: parsePositiveInt(env, 'SWITCHYARD_FS_CONNECTOR_MAX_DEPTH'),
    fsConnectorMaxPassBytes: parsePositiveInt(env, 'SWITCHYARD_FS_CONNECTOR_MAX_PASS_BYTES'),
    metrics: parseBool(env.SWITCHYARD_METRICS),
    metricsPort: env.SWITCHYARD_METRICS_PORT
      ? parsePort(env.SWITCHYARD_METRICS_PORT, 'SWITCHYARD_METRICS_PORT')
      : undefined,
    metricsToken: env.SWITCHYARD_METRICS_TOKEN || undefined,
    metricsPerDestination: parseBool(env.SWITCHYARD_METRICS_PER_DESTINATION),
    metricsIntervalMs: parsePositiveInt(env, 'SWITCHYARD_METRICS_INTERVAL_MS'),
  })
  const merged: Config = { ...defaults, ...fromEnv, ...dropUndefined(overrides) }
  if (options.localDevelopment && !merged.databaseUrl && fromEnv.allowPrivateTargets === undefined)
    merged.allowPrivateTargets = true
  merged.dataDir = resolveDataDir(env, merged.dataDir)
  if (!merged.publicUrl) merged.publicUrl = `http://localhost:${merged.port}`
  merged.publicUrl = merged.publicUrl.replace(/\/+$/, '')
  if (!merged.smtpFrom) merged.smtpFrom = `Switchyard <switchyard@${hostOf(merged.publicUrl)}>`
  return Object.freeze(merged)
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || 'localhost'
  } catch {
    return 'localhost'
  }
}

/**
 * Where an embedded store's files are: `dataDir` (a flag) or SWITCHYARD_DATA_DIR, else
 * ./.switchyard, resolved like `loadConfig` does. For the CLI's API commands, which read only it.
 * @example dataDirOf(process.env) // '/home/me/app/.switchyard'
 */
export function dataDirOf(env: NodeJS.ProcessEnv, dataDir?: string): string {
  return resolveDataDir(env, dataDir ?? (env.SWITCHYARD_DATA_DIR || defaults.dataDir))
}

// A relative dir is relative to where the command was typed: npm runs workspace scripts
// (`npm start` at the repo root) from the package's own directory, and tells the original one
// in INIT_CWD. `memory://` (an in-memory PGlite) is not a path.
function resolveDataDir(env: NodeJS.ProcessEnv, dataDir: string): string {
  if (dataDir.startsWith('memory://')) return dataDir
  return path.resolve(env.INIT_CWD ?? process.cwd(), dataDir)
}

/** @example parsePort('8787', '--port') // 8787 */
export function parsePort(value: string, name: string): number {
  const port = Number(value)
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name} must be a port number (0-65535), got "${value}"`)
  }
  return port
}

/** @example parseRole('worker', '--role') // 'worker' */
export function parseRole(value: string, name = 'role'): Role {
  if (!(roles as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${roles.join(', ')}, got "${value}"`)
  }
  return value as Role
}

function oneOf<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  choices: readonly T[],
): T | undefined {
  const value = env[name]
  if (value === undefined || value === '') return undefined
  if (!(choices as readonly string[]).includes(value))
    throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got "${value}"`)
  return value as T
}

function parsePublicUrl(value: string): string {
  let url: URL | null = null
  try {
    url = new URL(value)
  } catch {}
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new ConfigError(
      `SWITCHYARD_PUBLIC_URL must be an absolute http(s) URL like https://hooks.example.com, got "${value}"`,
    )
  return value
}

function parsePositiveInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name]
  if (value === undefined || value === '') return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isInteger(n) || n < 1)
    throw new ConfigError(`${name} must be a positive integer, got "${value}"`)
  return n
}

function parseInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name]
  if (value === undefined || value === '') return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isSafeInteger(n))
    throw new ConfigError(`${name} must be an integer, got "${value}"`)
  return n
}

/** Comma-separated, blanks dropped: `SWITCHYARD_PREVIOUS_SECRET_KEYS=old-key,older-key`. */
function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

/**
 * `SWITCHYARD_FS_CONNECTOR_ROOTS=/srv/shared,/home/me/notes`: absolute directories. The
 * connector checks the rest when it starts (they exist; not /, /proc, /sys, /dev, the data dir).
 */
function parseRoots(value: string | undefined): string[] | undefined {
  const roots = parseList(value)
  for (const root of roots ?? [])
    if (!path.isAbsolute(root))
      throw new ConfigError(
        `SWITCHYARD_FS_CONNECTOR_ROOTS must list absolute directories, got "${root}"`,
      )
  return roots
}

function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase())
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
