import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { startEngine, type Engine } from '../../src/main.ts'
import { adminToken, type TestServer } from '../helpers/server.ts'
import { createTestDb } from '../helpers/test-db.ts'
import { createTenant, type Tenant } from './tenants.ts'

/*
 * No secret in the logs: a full run at debug level (two tenants with keys, destination headers
 * and signing secrets, trigger secrets, credential tokens, deliveries attempted, inbound
 * requests, refused calls) is captured, and every secret it created is searched for.
 */

let engine: Engine
let db: Awaited<ReturnType<typeof createTestDb>>
const lines: string[] = []
const tenants: Tenant[] = []

beforeAll(async () => {
  db = await createTestDb()
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  const config = loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      adminToken,
      allowPrivateTargets: true,
      secretKey: 'log-test-key',
      logLevel: 'debug',
    },
  )
  engine = await startEngine(config, { db, logger: pino({ level: 'debug' }, sink) })
  const server = serverOf(engine)
  tenants.push(await createTenant(server, 'a'), await createTenant(server, 'b'))
  // Refused and failing calls log too: a wrong key, a bad body, a 404.
  await server.api('GET', '/v1/destinations', { key: tenants[0]!.secrets[0] + 'x' })
  await server.api('POST', '/v1/destinations', {
    key: tenants[0]!.keys.admin,
    body: { url: 'nope' },
  })
  await server.api('GET', `/v1/destinations/${tenants[1]!.ids.destination}`, {
    key: tenants[0]!.keys.admin,
  })
  await engine.dispatcher.runOnce()
}, 120_000)
afterAll(async () => {
  await engine?.close()
  await db?.close()
})

describe('logs of a full run', () => {
  it('were written', () => {
    expect(lines.length).toBeGreaterThan(20)
  })

  it('hold none of the secrets the run created', () => {
    const text = lines.join('')
    const secrets = [adminToken, ...tenants.flatMap((t) => t.secrets)]
    expect(secrets.length).toBeGreaterThan(10)
    for (const secret of secrets)
      expect(text.includes(secret), `a log line holds ${secret.slice(0, 8)}…`).toBe(false)
    // No bearer header is logged either, whatever the token.
    expect(text).not.toMatch(/Bearer sy/)
  })
})

/** The TestServer surface createTenant needs, over an engine started here. */
function serverOf(e: Engine): TestServer {
  const api: TestServer['api'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.key) headers.authorization = `Bearer ${opts.key}`
    let body: string | undefined
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body)
      headers['content-type'] = 'application/json'
    }
    const res = await fetch(e.url + path, { method, headers, body })
    const text = await res.text()
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null }
  }
  return {
    engine: e,
    url: e.url,
    api,
    createProject: async (name = 'Test project') => {
      const res = await api('POST', '/v1/projects', {
        key: adminToken,
        body: { name, ownerEmail: 'o@example.com' },
      })
      return { projectId: res.body.id, apiKey: res.body.apiKey }
    },
    close: async () => {},
  }
}
