import net from 'node:net'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maxJsonDepth } from '../../src/http/json-parser.ts'
import { adminToken, startTestServer, type TestServer } from '../helpers/server.ts'
import { createTenant, must, type Tenant } from './tenants.ts'

/*
 * Hostile input that used to answer 500 (or worse, a file or the dashboard): a NUL in the path
 * or query, bad percent-encoding, deep JSON, strings PostgreSQL cannot store, and traversal on
 * /assets. Each is now a 4xx with a catalogue code, on every route it can reach.
 */

let server: TestServer
let tenant: Tenant
let routes: { method: string; path: string; key: string }[]

beforeAll(async () => {
  server = await startTestServer()
  tenant = await createTenant(server, 'm')
  const doc = await must(server, 200, 'GET', '/openapi.json', '')
  routes = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(
    ([route, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.requestBody?.content?.['application/json'])
        .map(([method]) => ({
          method: method.toUpperCase(),
          path: route.replace(/\{[^}]+\}/g, tenant.ids.destination),
          key: route.startsWith('/v1/projects') ? adminToken : tenant.keys.admin,
        })),
  )
}, 60_000)
afterAll(() => server?.close())

/** Sends `requestLine` byte for byte (fetch would normalise it) and returns status and body. */
async function rawGet(target: string, headers = ''): Promise<{ status: number; body: string }> {
  const { port } = new URL(server.url)
  const socket = net.connect(Number(port), '127.0.0.1')
  socket.on('error', () => {})
  socket.write(`GET ${target} HTTP/1.1\r\nhost: x\r\n${headers}connection: close\r\n\r\n`)
  let answer = ''
  socket.on('data', (chunk) => (answer += chunk.toString('latin1')))
  await new Promise((resolve) => socket.once('close', resolve))
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)
  return { status, body: answer.slice(answer.indexOf('\r\n\r\n') + 4) }
}

const codeOf = (body: string): string | undefined => {
  try {
    return JSON.parse(body).error?.code
  } catch {
    return undefined
  }
}

describe('NUL and bad encoding in the URL', () => {
  it('answers a %00 in any path or query 400 invalid_request, before auth and routing', async () => {
    const auth = `authorization: Bearer ${tenant.keys.admin}\r\n`
    for (const target of [
      '/v1/events?type=%00', // reached PostgreSQL as a text parameter: was a 500
      '/v1/events?type=a%00b&limit=5',
      `/v1/events/${tenant.ids.event}%00`,
      '/v1/destinations/%00',
      `/v1/inbound-requests?triggerId=${tenant.ids.trigger}&x=%00`,
      `/hooks/${tenant.ids.trigger}?token=%00`,
      `/hooks/${tenant.ids.trigger}%00`,
      '/deliveries%00', // served the dashboard's index.html
      '/assets/a%00.js', // a 500 from the static file plugin
    ]) {
      const res = await rawGet(target, auth)
      expect({ target, status: res.status, code: codeOf(res.body) }).toEqual({
        target,
        status: 400,
        code: 'invalid_request',
      })
    }
  })

  it('answers bad percent-encoding and a raw NUL with a catalogue code', async () => {
    for (const target of ['/v1/destinations/%zz', '/assets/%ED%A0%80', '/hooks/%', '/a\0b']) {
      const res = await rawGet(target)
      expect({ target, status: res.status, code: codeOf(res.body) }).toEqual({
        target,
        status: 400,
        code: 'invalid_request',
      })
    }
  })
})

describe('generated URLs', () => {
  it('never answer 5xx: any bytes, percent-encoded, in a path segment or a query value', async () => {
    const auth = `authorization: Bearer ${tenant.keys.admin}\r\n`
    const encoded = fc
      .uint8Array({ maxLength: 12 })
      .map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''))
    const target = fc.oneof(
      fc.tuple(
        fc.constantFrom(
          '/v1/events?type=',
          '/v1/events?since=',
          '/v1/inbound-requests?triggerId=',
          '/v1/deliveries?status=',
          '/v1/audit-log?action=',
          '/v1/destinations?cursor=',
          `/hooks/${tenant.ids.trigger}?id=`,
        ),
        encoded,
      ),
      fc.tuple(
        fc.constantFrom('/v1/events/', '/v1/triggers/', '/hooks/', '/assets/', '/deliveries/'),
        encoded,
      ),
    )
    await fc.assert(
      fc.asyncProperty(target, async ([prefix, bytes]) => {
        const res = await rawGet(prefix + bytes, auth)
        expect(res.status, `${prefix}${bytes}: ${res.body.slice(0, 200)}`).toBeGreaterThan(0)
        expect(res.status, `${prefix}${bytes}: ${res.body.slice(0, 200)}`).toBeLessThan(500)
      }),
      { numRuns: Number(process.env.SWITCHYARD_FUZZ_RUNS ?? 60) },
    )
  }, 120_000)
})

describe('/assets traversal', () => {
  it('answers every traversal spelling 404 or 400, never a file outside the assets folder', async () => {
    for (const target of [
      '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/..\\..\\package.json',
      '/assets/..%5c..%5cpackage.json',
      '/assets/....//....//package.json',
      '/assets//etc/passwd',
      '/assets/%2fetc%2fpasswd',
      '/assets/.%2e/index.html',
      '/assets/..',
      '/assets/',
      '/assets/.hidden',
    ]) {
      const res = await rawGet(target)
      expect([400, 404], `${target}: ${res.status} ${res.body.slice(0, 200)}`).toContain(res.status)
      expect(codeOf(res.body), target).toMatch(/^(route_not_found|invalid_request)$/)
      expect(res.body, target).not.toContain('"name"')
    }
  })
})

describe('JSON bodies', () => {
  const send = (method: string, path: string, key: string, body: string) =>
    server.api(method, path, {
      key,
      rawBody: body,
      headers: { 'content-type': 'application/json' },
    })

  it(`refuses nesting deeper than ${maxJsonDepth} on every JSON route with 400 json_too_deep`, async () => {
    expect(routes.length).toBeGreaterThan(20)
    const deep = `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`
    for (const { method, path, key } of routes) {
      const res = await send(method, path, key, deep)
      expect(`${method} ${path} ${res.status} ${res.body?.error?.code}`).toBe(
        `${method} ${path} 400 json_too_deep`,
      )
    }
  })

  it('takes nesting up to the limit on POST /v1/events, and reads it back equal', async () => {
    let nested: unknown = 'leaf'
    for (let i = 0; i < maxJsonDepth - 3; i++) nested = [nested]
    const event = { type: 'integration.installed', data: { metadata: { nested } } }
    const res = await server.api('POST', '/v1/events', { key: tenant.keys.member, body: event })
    expect(res.status).toBe(202)
    const back = await must(server, 200, 'GET', `/v1/events/${res.body.id}`, tenant.keys.viewer)
    expect(back.data).toEqual(event.data)
  })

  it('refuses \\u0000, lone surrogates and numbers past a double in POST /v1/events with the JSON pointer of each', async () => {
    for (const [raw, path] of [
      [String.raw`{"metadata":{"note":"a\u0000b"}}`, '/data/metadata/note'],
      [String.raw`{"metadata":{"list":["ok","\ud800"]}}`, '/data/metadata/list/1'],
      [String.raw`{"metadata":{"tail":"x\udc00"}}`, '/data/metadata/tail'],
      [String.raw`{"metadata":{"k\u0000":1}}`, '/data/metadata/k\u0000'],
      [String.raw`{"metadata":{"a/b~":{"c":"\u0000"}}}`, '/data/metadata/a~1b~0/c'],
      // JSON.parse makes it Infinity, which the store would keep as null.
      [`{"metadata":{"n":[1,-1e400]}}`, '/data/metadata/n/1'],
    ] as const) {
      const res = await send(
        'POST',
        '/v1/events',
        tenant.keys.member,
        `{"type":"integration.installed","data":${raw}}`,
      )
      expect(res.status, raw).toBe(400)
      expect(res.body.error.code, raw).toBe('unsupported_value')
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([path])
    }
  })

  it('refuses them in a batch item and on every other JSON route (bodies that land in text or jsonb)', async () => {
    const batch = await send(
      'POST',
      '/v1/events/batch',
      tenant.keys.member,
      String.raw`{"events":[{"type":"webhook.test","data":{}},{"type":"integration.installed","data":{"metadata":{"x":"\ud83d"}}}]}`,
    )
    expect(batch.status).toBe(400)
    expect(batch.body.error.details).toEqual([
      { path: '/events/1/data/metadata/x', message: expect.stringContaining('surrogate') },
    ])
    // PUT /v1/settings with a NUL in the name was a 500 from the UPDATE.
    for (const { method, path, key } of routes) {
      const res = await send(method, path, key, String.raw`{"name":"a\u0000"}`)
      expect(`${method} ${path} ${res.status} ${res.body?.error?.code}`).toBe(
        `${method} ${path} 400 unsupported_value`,
      )
    }
    const settings = await must(server, 200, 'GET', '/v1/settings', tenant.keys.viewer)
    expect(settings.name).toBe('Tenant m')
  })

  it('keeps an escaped backslash before "u0000", a paired surrogate and "1e400" in a string', async () => {
    const data = {
      metadata: {
        path: 'C:\\u0000\\dir',
        emoji: '😀',
        escaped: '\ud83d\ude00',
        n: '1e400',
        max: 1e308,
      },
    }
    const body = String.raw`{"type":"integration.installed","data":{"metadata":{"path":"C:\\u0000\\dir","emoji":"😀","escaped":"\ud83d\ude00","n":"1e400","max":1e308}}}`
    const res = await send('POST', '/v1/events', tenant.keys.member, body)
    expect(res.status).toBe(202)
    const back = await must(server, 200, 'GET', `/v1/events/${res.body.id}`, tenant.keys.viewer)
    expect(back.data).toEqual(data)
  })
})

describe('afterwards', () => {
  it('stays healthy', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  })
})
