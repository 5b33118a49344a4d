import fs from 'node:fs/promises'
import path from 'node:path'
import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { controlBodyLimitBytes } from '../../src/http/body-limits.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { hostileBodies } from './hostile-bodies.ts'
import { createTenant, must, type Tenant } from './tenants.ts'

/*
 * Property-based hostile input over every JSON route in /openapi.json: each generated body is
 * invalid for the route's schema, so each must be answered 4xx with a catalogue `code`, write
 * nothing (every table reads the same before and after) and leave the process healthy. Runs
 * per route: SWITCHYARD_FUZZ_RUNS (default 40). Counts go to test-results/hostile-input.json.
 */

const runs = Number(process.env.SWITCHYARD_FUZZ_RUNS ?? 40)
const configuredBodyLimit = 1024 * 1024
const dataRoutes = new Set(['/v1/events', '/v1/events/batch'])

let server: TestServer
let tenant: Tenant
let doc: { paths: Record<string, Record<string, any>> }
const counts: Record<string, { total: number; byKind: Record<string, number> }> = {}

beforeAll(async () => {
  // No workers: a dispatcher retrying in the background would change the tables between reads.
  server = await startTestServer({ config: { secretKey: 'hostile-input-test-key', role: 'api' } })
  tenant = await createTenant(server, 'a')
  doc = await must(server, 200, 'GET', '/openapi.json', '')
}, 60_000)

afterAll(async () => {
  const dir = path.resolve(import.meta.dirname, '../../test-results')
  await fs.mkdir(dir, { recursive: true })
  const total = Object.values(counts).reduce((n, c) => n + c.total, 0)
  const file = path.join(dir, `hostile-input.${server?.engine.db.kind ?? 'unknown'}.json`)
  await fs.writeFile(file, JSON.stringify({ runsPerRoute: runs, total, routes: counts }, null, 2))
  await server?.close()
})

/** Every table's rows, hashed: equal before and after means nothing was written. */
async function fingerprint(): Promise<Record<string, string>> {
  const db = server.engine.db.kysely
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'
    order by table_name`.execute(db)
  const out: Record<string, string> = {}
  for (const { table_name: table } of rows) {
    const hashed = await sql<{ h: string }>`
      select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) as h
      from ${sql.table(table)} t`.execute(db)
    out[table] = hashed.rows[0]!.h
  }
  return out
}

function pathFor(template: string): string {
  const ids: Record<string, string> = {
    '/v1/destinations/': tenant.ids.destination,
    '/v1/triggers/': tenant.ids.trigger,
    '/v1/syncs/': tenant.ids.sync,
    '/v1/credentials/': tenant.ids.credential,
    '/v1/projects/': tenant.projectId,
  }
  const prefix = Object.keys(ids).find((p) => template.startsWith(p))
  return template
    .replace('{id}', () => (prefix ? ids[prefix]! : tenant.ids.event))
    .replace('{userId}', tenant.ids.user)
    .replace('{runId}', tenant.ids.run)
    .replace('{type}', `int-${tenant.tag}`)
}

describe('hostile input on every JSON route', () => {
  it('lists the JSON routes', () => {
    expect(jsonRoutes().length).toBeGreaterThan(20)
  })

  for (const [method, route] of [
    ['POST', '/v1/projects'],
    ['POST', '/v1/api-keys'],
    ['PUT', '/v1/settings'],
    ['POST', '/v1/events'],
    ['POST', '/v1/events/batch'],
    ['POST', '/v1/destinations'],
    ['PATCH', '/v1/destinations/{id}'],
    ['POST', '/v1/destinations/{id}/disable'],
    ['POST', '/v1/destinations/{id}/rotate-secret'],
    ['POST', '/v1/destinations/{id}/recover'],
    ['POST', '/v1/destinations/test'],
    ['PUT', '/v1/users/{userId}'],
    ['PUT', '/v1/credentials/{id}'],
    ['POST', '/v1/triggers'],
    ['PATCH', '/v1/triggers/{id}'],
    ['POST', '/v1/triggers/{id}/subscriptions'],
    ['POST', '/v1/syncs'],
    ['POST', '/v1/syncs/{id}/runs'],
    ['POST', '/v1/syncs/{id}/runs/{runId}/records'],
    ['POST', '/v1/syncs/{id}/runs/{runId}/complete'],
    ['POST', '/v1/syncs/{id}/runs/{runId}/fail'],
  ] as const) {
    it(`${method} ${route}: every hostile body is a 4xx with a code, and nothing is written`, async () => {
      await checkRoute(method, route)
    }, 120_000)
  }

  it('covers every JSON route the OpenAPI document lists (new ones run here)', async () => {
    const known = new Set(Object.keys(counts))
    for (const { method, route } of jsonRoutes())
      if (!known.has(`${method} ${route}`)) await checkRoute(method, route)
  }, 300_000)

  it('stays healthy after all of it', async () => {
    const res = await fetch(`${server.url}/healthz`)
    expect(res.status).toBe(200)
  })
})

function jsonRoutes(): { method: string; route: string }[] {
  return Object.entries(doc.paths).flatMap(([route, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op.requestBody?.content?.['application/json'])
      .map(([m]) => ({ method: m.toUpperCase(), route })),
  )
}

async function checkRoute(method: string, route: string): Promise<void> {
  const op = doc.paths[route]?.[method.toLowerCase()]
  expect(op, `${method} ${route} is in the OpenAPI document`).toBeDefined()
  const schema = op.requestBody.content['application/json'].schema
  const limit = dataRoutes.has(route) ? configuredBodyLimit : controlBodyLimitBytes
  const key = route.startsWith('/v1/projects') ? 'sya_test_admin_token' : tenant.keys.admin
  const url = server.url + pathFor(route)
  const tally = (counts[`${method} ${route}`] ??= { total: 0, byKind: {} })
  const before = await fingerprint()
  await fc.assert(
    fc.asyncProperty(
      hostileBodies(schema, route.includes('/records') ? 32 * 1024 * 1024 : limit),
      async (input) => {
        const res = await fetch(url, {
          method,
          headers: { authorization: `Bearer ${key}`, 'content-type': input.contentType },
          body: new Uint8Array(input.bytes),
        })
        const text = await res.text()
        tally.total++
        tally.byKind[input.kind] = (tally.byKind[input.kind] ?? 0) + 1
        const what = `${input.kind} → ${res.status} ${text.slice(0, 300)}`
        expect(res.status, what).toBeGreaterThanOrEqual(400)
        expect(res.status, what).toBeLessThan(500)
        expect(JSON.parse(text).error.code, what).toMatch(/^[a-z_]+$/)
      },
    ),
    { numRuns: runs },
  )
  expect(await fingerprint()).toEqual(before)
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
}
