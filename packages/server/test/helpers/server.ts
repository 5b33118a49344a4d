import { pino, type Logger } from 'pino'
import { loadConfig, type Config } from '../../src/config.ts'
import { startEngine, type Engine } from '../../src/main.ts'
import type { Db } from '../../src/store/index.ts'
import { createTestDb } from './test-db.ts'

export const adminToken = 'sya_test_admin_token'
/**
 * SWITCHYARD_SECRET_KEY of every test server unless a test sets its own: destination secrets are
 * sealed, and PostgreSQL refuses to seal without a key (PGlite would write ./.switchyard/secret.key).
 */
export const testSecretKey = 'switchyard-test-secret-key'

export interface TestServer {
  engine: Engine
  url: string
  /** Calls the API; `key` becomes the bearer token. Returns status, headers and parsed JSON. */
  api: <T = any>(
    method: string,
    path: string,
    options?: { key?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string },
  ) => Promise<{ status: number; headers: Headers; body: T }>
  /** Creates a project over HTTP and returns its id and admin key. */
  createProject: (name?: string) => Promise<{ projectId: string; apiKey: string }>
  close: () => Promise<void>
}

/**
 * A real Switchyard on 127.0.0.1:0 over a fresh database.
 * @example const server = await startTestServer(); afterAll(() => server.close())
 */
export async function startTestServer(
  options: { now?: () => Date; config?: Partial<Config>; db?: Db; logger?: Logger } = {},
): Promise<TestServer> {
  // A database handed in outlives the server (restarts over one store); close() leaves it open.
  const db = options.db ?? (await createTestDb())
  const config = loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      adminToken,
      allowPrivateTargets: true,
      secretKey: testSecretKey,
      logLevel: process.env.SWITCHYARD_LOG_LEVEL ?? 'silent',
      ...options.config,
    },
  )
  const engine = await startEngine(config, {
    db,
    now: options.now,
    logger: options.logger ?? pino({ level: config.logLevel }),
  })
  const url = engine.url
  const api: TestServer['api'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.key) headers.authorization = `Bearer ${opts.key}`
    let body: string | undefined = opts.rawBody
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body)
      headers['content-type'] ??= 'application/json'
    }
    const response = await fetch(url + path, { method, headers, body })
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {}
    return { status: response.status, headers: response.headers, body: parsed as never }
  }
  return {
    engine,
    url,
    api,
    createProject: async (name = 'Test project') => {
      const res = await api('POST', '/v1/projects', {
        key: adminToken,
        body: { name, ownerEmail: 'owner@example.com' },
      })
      if (res.status !== 201)
        throw new Error(`creating a project failed: ${res.status} ${JSON.stringify(res.body)}`)
      return { projectId: res.body.id, apiKey: res.body.apiKey }
    },
    close: async () => {
      await engine.close()
      if (!options.db) await db.close()
    },
  }
}
