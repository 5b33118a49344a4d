import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminToken, startTestServer, type TestServer } from '../helpers/server.ts'
import { createTenant, must, type Tenant } from './tenants.ts'

/*
 * Tenant isolation, driven by /openapi.json: every documented route is called by project A's
 * keys (each role), A's user token, B's revoked key, B's expired user token, the instance token
 * and no token, against project B's objects. Nothing crosses: another project's object answers
 * exactly what an id that exists nowhere answers (404 with a sufficient role), lists show none
 * of B's ids, and B's objects read the same afterwards. A route this file does not know fails
 * the first test, so a new route is covered or noticed.
 */

let server: TestServer
let a: Tenant
let b: Tenant
let revokedKey: string
let routes: { method: string; path: string; hasBody: boolean }[]

/** Routes anyone may call (documented lists of static things). */
const publicRoutes = new Set([
  'GET /v1/event-types',
  'GET /v1/trigger-presets',
  'GET /v1/sync-error-codes',
  // The token is the capability: an unguessable, signed, expiring claim-check URL.
  'GET /v1/claims/{token}',
  // The one-time link token is the capability (docs/portal-sessions.md).
  'POST /v1/portal-sessions/exchange',
])
/** Project routes the instance admin token may call too, naming the project (none here: 400). */
const instanceAllowed = new Set([
  'POST /v1/portal-sessions',
  'GET /v1/portal-sessions',
  'DELETE /v1/portal-sessions/{id}',
])
/** Upserts keyed by the caller's own id space: A writing "B's" id writes A's own object. */
const upserts = new Set([
  'PUT /v1/users/{userId}',
  'PUT /v1/credentials/{id}',
  'PUT /v1/integrations/{type}',
])
/** Long-lived streams: only the status line is read. */
const streams = new Set(['GET /v1/events/stream', 'GET /v1/triggers/{id}/listen'])
/** Routes only the instance admin token may call: no project key or user token gets past 401. */
const instanceOnly = new Set(['POST /v1/projects', 'GET /v1/projects', 'PATCH /v1/projects/{id}'])

/** A valid body for each route that takes one, so a refusal is about who, not what. */
const bodies: Record<string, unknown> = {
  'POST /v1/projects': { name: 'x', ownerEmail: 'x@example.com' },
  'PATCH /v1/projects/{id}': { deliveryWeight: 2 },
  'POST /v1/api-keys': { name: 'x', role: 'viewer' },
  'PUT /v1/settings': {},
  'POST /v1/events': { type: 'webhook.test', data: {} },
  'POST /v1/events/batch': { events: [{ type: 'webhook.test', data: {} }] },
  'POST /v1/destinations': { url: 'http://127.0.0.1:9/a', events: ['*'] },
  'PATCH /v1/destinations/{id}': { name: 'taken over' },
  'POST /v1/destinations/{id}/disable': { reason: 'taken over' },
  'POST /v1/destinations/{id}/rotate-secret': { graceHours: 0 },
  'POST /v1/destinations/{id}/recover': { since: '2020-01-01T00:00:00Z' },
  'POST /v1/destinations/test': { url: 'http://127.0.0.1:9/a' },
  'POST /v1/portal-sessions': { readOnly: false },
  'POST /v1/portal-sessions/exchange': { token: 'sypl_forged' },
  'PUT /v1/users/{userId}': { metadata: { takenOver: true } },
  'PUT /v1/integrations/{type}': { name: 'taken over' },
  'PUT /v1/credentials/{id}': {
    userId: 'someone',
    integration: 'slack',
    tokens: { accessToken: 'x' },
  },
  'POST /v1/triggers': { integration: 'custom', name: 'event', level: 'app' },
  'PATCH /v1/triggers/{id}': { name: 'taken_over' },
  'POST /v1/triggers/{id}/subscriptions': { credentialId: 'CRED' },
  'POST /v1/triggers/{id}/expect-handshake': { seconds: 60 },
  'POST /v1/syncs': {
    integration: 'googledrive',
    pipeline: 'files',
    userId: 'u',
    credentialId: 'c',
  },
  'POST /v1/syncs/{id}/runs': { type: 'INCREMENTAL' },
  'POST /v1/syncs/{id}/runs/{runId}/records': { records: [] },
  'POST /v1/syncs/{id}/runs/{runId}/complete': {},
  'POST /v1/syncs/{id}/runs/{runId}/fail': { code: 'UNKNOWN', message: 'taken over' },
}

/** Fills a route's path parameters with `t`'s ids (or random ones when `t` is null). */
function pathFor(path: string, t: Tenant | null): string {
  const rnd = () => randomUUID()
  const idOf = (prefix: string): string => {
    if (!t) return rnd()
    const table: [string, string][] = [
      ['/v1/api-keys/', t.keyIds[0]!],
      ['/v1/events/', t.ids.event],
      ['/v1/destinations/', t.ids.destination],
      ['/v1/deliveries/', t.ids.delivery],
      ['/v1/credentials/', t.ids.credential],
      ['/v1/triggers/', t.ids.trigger],
      ['/v1/inbound-requests/', t.ids.inboundRequest],
      ['/v1/syncs/', t.ids.sync],
      ['/v1/projects/', t.projectId],
      ['/v1/portal-sessions/', t.ids.portalSession],
    ]
    const hit = table.find(([p]) => prefix.startsWith(p))
    if (!hit) throw new Error(`no fixture id for ${path}: add one to pathFor`)
    return hit[1]
  }
  if (!path.includes('{')) return path
  return (
    path
      .replace('{id}', () => idOf(path))
      .replace('{userId}', t ? t.ids.user : `user-${rnd()}`)
      .replace('{credentialId}', t ? t.ids.credential : rnd())
      .replace('{runId}', t ? t.ids.run : rnd())
      .replace('{recordId}', t ? t.ids.record : rnd())
      .replace('{type}', t ? `int-${t.tag}` : `int-${rnd()}`)
      // No tenant owns a claim token: a forged one must read like any unknown token.
      .replace('{token}', `forged-${rnd()}`)
      .replace(/\{(\w+)\}/, (param) => {
        throw new Error(`no fixture for ${param} in ${path}: add one to pathFor`)
      })
  )
}

/** Sends one request; streams are cut after the status line. */
async function send(method: string, path: string, token: string | null, body: unknown) {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const abort = new AbortController()
  const res = await fetch(server.url + path, {
    method,
    headers,
    body:
      body === undefined
        ? undefined
        : JSON.stringify(body).replace('"CRED"', `"${a.ids.credential}"`),
    signal: abort.signal,
  })
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
    abort.abort()
    return { status: res.status, text: '', code: null }
  }
  const text = await res.text()
  let code: string | null = null
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null
  } catch {}
  return { status: res.status, text, code }
}

async function snapshotOf(t: Tenant): Promise<string> {
  const reads = [
    '/v1/api-keys',
    '/v1/settings',
    '/v1/destinations',
    `/v1/destinations/${t.ids.destination}`,
    '/v1/triggers',
    `/v1/triggers/${t.ids.trigger}`,
    `/v1/users/${t.ids.user}`,
    `/v1/credentials/${t.ids.credential}`,
    '/v1/syncs',
    `/v1/syncs/${t.ids.sync}/records`,
    '/v1/events',
    ...(routes.some((r) => r.path === '/v1/integrations/{type}')
      ? [`/v1/integrations/int-${t.tag}`]
      : []),
  ]
  const out: unknown[] = []
  for (const path of reads)
    out.push((await must(server, 200, 'GET', path, t.keys.admin)) as unknown)
  return JSON.stringify(out)
}

let bBefore: string

beforeAll(async () => {
  // No workers: a dispatcher failing B's deliveries in the background would change B's reads.
  server = await startTestServer({ config: { secretKey: 'isolation-test-key', role: 'api' } })
  a = await createTenant(server, 'a')
  b = await createTenant(server, 'b')
  const doomed = await must(server, 201, 'POST', '/v1/api-keys', b.keys.admin, {
    name: 'doomed',
    role: 'admin',
  })
  await must(server, 204, 'DELETE', `/v1/api-keys/${doomed.id}`, b.keys.admin)
  revokedKey = doomed.key
  const doc = await must(server, 200, 'GET', '/openapi.json', '')
  routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
    ([path, ops]) =>
      Object.entries(ops).map(([m, op]) => ({
        method: m.toUpperCase(),
        path,
        hasBody: (op as { requestBody?: unknown }).requestBody !== undefined,
      })),
  )
  bBefore = await snapshotOf(b)
}, 120_000)
afterAll(() => server?.close())

const label = (r: { method: string; path: string }) => `${r.method} ${r.path}`

describe('tenant isolation over every route', () => {
  it('knows every route the OpenAPI document lists', () => {
    expect(routes.length).toBeGreaterThan(50)
    for (const route of routes) {
      if (route.path.includes('{') && !upserts.has(label(route)))
        expect(() => pathFor(route.path, b)).not.toThrow()
      if (route.hasBody)
        expect(bodies, `add a valid body for ${label(route)}`).toHaveProperty([label(route)])
    }
  })

  it('refuses revoked keys, expired user tokens, the instance token and no token on every project route', async () => {
    const callers: [string, string | null][] = [
      ['revoked key', revokedKey],
      ['expired user token', b.userToken({ expired: true })],
      ['no token', null],
      ['garbage token', 'sy_' + 'x'.repeat(43)],
    ]
    for (const route of routes) {
      if (publicRoutes.has(label(route))) continue
      const all: [string, string | null][] = instanceOnly.has(label(route))
        ? callers
        : [...callers, ['instance token', adminToken]]
      for (const [who, token] of all) {
        const res = await send(route.method, pathFor(route.path, b), token, bodies[label(route)])
        const what = `${who} → ${label(route)}: ${res.text}`
        // The instance token is valid, only of the wrong kind: 403 naming the kind (issue #25).
        // The instance token may manage portal sessions, naming the project: without one, 400.
        const expected =
          who === 'instance token'
            ? instanceAllowed.has(label(route))
              ? { status: 400, code: 'validation_failed' }
              : { status: 403, code: 'project_key_required' }
            : { status: 401, code: 'unauthorized' }
        expect({ status: res.status, code: res.code }, what).toEqual(expected)
      }
    }
  }, 120_000)

  it("answers another project's objects exactly as ids that exist nowhere, for every role and user tokens", async () => {
    const callers: [string, string][] = [
      ['A admin', a.keys.admin],
      ['A member', a.keys.member],
      ['A viewer', a.keys.viewer],
      ['A user token', a.userToken()],
      ['A portal session', a.portalCredential],
    ]
    let checked = 0
    for (const route of routes) {
      if (!route.path.includes('{') || upserts.has(label(route))) continue
      // The instance's own routes take no project's key at all (the test above).
      if (instanceOnly.has(label(route))) continue
      for (const [who, token] of callers) {
        const body = bodies[label(route)]
        const other = await send(route.method, pathFor(route.path, b), token, body)
        const nowhere = await send(route.method, pathFor(route.path, null), token, body)
        const what = `${who} → ${label(route)}: ${other.text}`
        // A user token on a route that takes keys only is the wrong kind of key: 403.
        expect(who === 'A user token' ? [401, 403, 404] : [403, 404], what).toContain(other.status)
        if (who === 'A portal session' && other.code !== 'portal_route_not_allowed')
          expect(other.status, what).toBe(404)
        expect({ status: other.status, code: other.code }, what).toEqual({
          status: nowhere.status,
          code: nowhere.code,
        })
        if (who === 'A admin') expect(other.status, what).toBe(404)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(100)
  }, 180_000)

  it("lists and reads show none of another project's ids or secrets", async () => {
    const foreign = [
      ...Object.values(b.ids).filter((id) => id !== b.ids.user),
      ...b.keyIds,
      b.projectId,
      ...b.secrets,
    ]
    for (const route of routes) {
      if (route.path.includes('{') || route.method !== 'GET' || streams.has(label(route))) continue
      for (const token of [a.keys.admin, a.keys.viewer]) {
        const res = await send('GET', route.path, token, undefined)
        if (label(route) === 'GET /v1/projects') continue
        expect([200, 403], `${label(route)}: ${res.text}`).toContain(res.status)
        for (const id of foreign) expect(res.text, `${label(route)} shows ${id}`).not.toContain(id)
      }
    }
  }, 60_000)

  it("keeps upserts in the caller's project: A writing B's user and credential ids writes A's own", async () => {
    await must(server, 200, 'PUT', `/v1/users/${b.ids.user}`, a.keys.admin, {
      metadata: { takenOver: true },
    })
    await must(server, 201, 'PUT', `/v1/credentials/${b.ids.credential}`, a.keys.admin, {
      userId: b.ids.user,
      integration: 'slack',
      tokens: { accessToken: 'attacker' },
    })
    const bUser = await must(server, 200, 'GET', `/v1/users/${b.ids.user}`, b.keys.admin)
    expect(bUser.metadata).toEqual({ tag: 'b' })
    const bCredential = await must(
      server,
      200,
      'GET',
      `/v1/credentials/${b.ids.credential}`,
      b.keys.admin,
    )
    expect(bCredential.integration).toBe('googledrive')
    if (routes.some((r) => r.path === '/v1/integrations/{type}')) {
      const put = await server.api('PUT', `/v1/integrations/int-b`, {
        key: a.keys.admin,
        body: { name: 'x' },
      })
      expect(put.status).toBeLessThan(300)
    }
  })

  it("leaves every one of B's objects as it was", async () => {
    expect(await snapshotOf(b)).toBe(bBefore)
  })
})
