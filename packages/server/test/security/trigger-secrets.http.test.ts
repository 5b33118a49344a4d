import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { startEngine, type Engine } from '../../src/main.ts'
import { adminToken } from '../helpers/server.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { createTestDb } from '../helpers/test-db.ts'
import { waitFor } from '../helpers/wait.ts'

/*
 * Issue #24 item 7: the API key, query token and Basic password a trigger verifies with were
 * stored in clear, shown to viewer keys, copied into trigger.received events, delivered to
 * destinations and written to the request log line. Each trigger below is sent a request that
 * verifies, is routed and delivered; then its secret is searched for in every place it went.
 */

let engine: Engine
let db: Awaited<ReturnType<typeof createTestDb>>
let receiver: Receiver
const lines: string[] = []
let admin: string
let viewer: string
let member: string

async function api(method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(engine.url + path, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, text, body: text ? JSON.parse(text) : null }
}

beforeAll(async () => {
  db = await createTestDb()
  receiver = await startReceiver()
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
      secretKey: 'trigger-secrets-test-key',
      publicUrl: 'https://hooks.example.com',
      logLevel: 'debug',
    },
  )
  engine = await startEngine(config, { db, logger: pino({ level: 'debug' }, sink) })
  const project = await api('POST', '/v1/projects', adminToken, {
    name: 'Secrets',
    ownerEmail: 'o@example.com',
  })
  admin = project.body.apiKey
  viewer = (await api('POST', '/v1/api-keys', admin, { name: 'v', role: 'viewer' })).body.key
  member = (await api('POST', '/v1/api-keys', admin, { name: 'm', role: 'member' })).body.key
  const destination = await api('POST', '/v1/destinations', admin, {
    url: receiver.url,
    events: ['trigger.received'],
  })
  expect(destination.status).toBe(201)
}, 60_000)
afterAll(async () => {
  await engine?.close()
  await db?.close()
  await receiver?.close()
})

async function trigger(definition: Record<string, unknown>): Promise<string> {
  const res = await api('POST', '/v1/triggers', admin, {
    integration: 'custom',
    name: `t-${randomUUID()}`,
    level: 'app',
    ...definition,
  })
  expect(res.status, res.text).toBe(201)
  return res.body.id
}

/** Sends a request that verifies, and waits until it is routed and delivered. */
async function deliver(
  triggerId: string,
  call: { headers?: Record<string, string>; query?: string },
) {
  const before = receiver.requests.length
  const res = await fetch(`${engine.url}/hooks/${triggerId}${call.query ? `?${call.query}` : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...call.headers },
    body: '{"event":"ping"}',
  })
  expect(res.status).toBe(200)
  const row = await waitFor(async () => {
    const list = await api('GET', `/v1/inbound-requests?triggerId=${triggerId}`, viewer)
    const [latest] = list.body.data
    return latest?.outcome === 'routed' ? latest : undefined
  }, 15_000)
  await receiver.waitForRequests(before + 1, 15_000)
  return row as { id: string; eventIds: string[] }
}

/** Every place the request went: the log API (viewer), its event, the delivered body, the log lines. */
async function placesOf(triggerId: string, row: { id: string; eventIds: string[] }) {
  const list = await api('GET', `/v1/inbound-requests?triggerId=${triggerId}`, viewer)
  const one = await api('GET', `/v1/inbound-requests/${row.id}`, viewer)
  const event = await api('GET', `/v1/events/${row.eventIds[0]}`, viewer)
  expect(event.status).toBe(200)
  const delivered = receiver.requests.filter((r) => r.body.includes(row.id))
  expect(delivered.length).toBeGreaterThan(0)
  return {
    'request log list': list.text,
    'request log entry': one.text,
    event: event.text,
    'delivered body': delivered.map((r) => r.body).join('\n'),
    'log lines': lines.join(''),
  }
}

function expectNowhere(places: Record<string, string>, secret: string) {
  for (const [place, text] of Object.entries(places))
    expect(text.includes(secret), `${place} holds the secret`).toBe(false)
}

describe('secrets a trigger verifies with', () => {
  it('keeps an API-key header out of the log, events, deliveries and log lines', async () => {
    const secret = `key-${randomUUID()}`
    const id = await trigger({ verification: { preset: 'api-key', secrets: [secret] } })
    const row = await deliver(id, { headers: { 'x-api-key': secret } })
    const places = await placesOf(id, row)
    expectNowhere(places, secret)
    expect(JSON.parse(places['request log entry']).headers['x-api-key']).toBe('[redacted]')
  })

  it('keeps a query token out of them, the URL in the log line too', async () => {
    const secret = `tok-${randomUUID()}`
    const id = await trigger({
      verification: { preset: 'token', query: 'token', secrets: [secret] },
    })
    const row = await deliver(id, { query: `token=${secret}&page=2` })
    const places = await placesOf(id, row)
    expectNowhere(places, secret)
    expect(JSON.parse(places['request log entry']).query).toBe('token=[redacted]&page=2')
    expect(JSON.parse(places.event).data.query).toEqual({ token: '[redacted]', page: '2' })
    expect(places['log lines']).toContain(`/hooks/${id}?token=[redacted]&page=[redacted]`)
  })

  it('keeps a Basic password out of them', async () => {
    const password = `pw-${randomUUID()}`
    const id = await trigger({ verification: { preset: 'basic', secrets: [`hooks:${password}`] } })
    const basic = Buffer.from(`hooks:${password}`).toString('base64')
    const row = await deliver(id, { headers: { authorization: `Basic ${basic}` } })
    const places = await placesOf(id, row)
    expectNowhere(places, basic)
    expectNowhere(places, password)
    expect(JSON.parse(places['request log entry']).headers.authorization).toBe('Basic [redacted]')
  })

  it('keeps the headers and query parameters a trigger names in redact out of them', async () => {
    const [inHeader, inQuery] = [`h-${randomUUID()}`, `q-${randomUUID()}`]
    const id = await trigger({ redact: { headers: ['X-Shop-Token'], query: ['sig'] } })
    const row = await deliver(id, {
      headers: { 'x-shop-token': inHeader },
      query: `sig=${inQuery}`,
    })
    const places = await placesOf(id, row)
    expectNowhere(places, inHeader)
    // The query of a /hooks URL is redacted in the log line whatever its names.
    expectNowhere(places, inQuery)
    const shown = await api('GET', `/v1/triggers/${id}`, viewer)
    expect(shown.body.redact).toEqual({ headers: ['x-shop-token'], query: ['sig'] })
  })

  it('replays a redacted request without verifying it again', async () => {
    const secret = `key-${randomUUID()}`
    const id = await trigger({ verification: { preset: 'api-key', secrets: [secret] } })
    const row = await deliver(id, { headers: { 'x-api-key': secret } })
    const before = receiver.requests.length
    const replay = await api('POST', `/v1/inbound-requests/${row.id}/replay`, member)
    expect(replay.status).toBe(202)
    await receiver.waitForRequests(before + 1, 15_000)
    const again = await api('GET', `/v1/inbound-requests/${row.id}`, viewer)
    expect(again.body).toMatchObject({ outcome: 'routed' })
    expect(again.body.eventIds).toHaveLength(1)
    expect(again.body.eventIds[0]).not.toBe(row.eventIds[0])
  })

  it('refuses a redact header name that is not a header name', async () => {
    const res = await api('POST', '/v1/triggers', admin, {
      integration: 'custom',
      name: 'bad-redact',
      level: 'app',
      redact: { headers: ['x shop'] },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('validation_failed')
    expect(res.body.error.details[0].path).toBe('/redact/headers/0')
  })
})

describe('secrets a handshake carries', () => {
  async function logged(triggerId: string) {
    const list = await api('GET', `/v1/inbound-requests?triggerId=${triggerId}`, viewer)
    return list.text
  }

  it("keeps Meta's hub.verify_token out of the log and the log lines", async () => {
    const token = `vt-${randomUUID()}`
    const id = await trigger({ response: { preset: 'meta', verifyToken: token } })
    const res = await fetch(
      `${engine.url}/hooks/${id}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${token}`,
    )
    expect(await res.text()).toBe('1158201444')
    expect(await logged(id)).not.toContain(token)
    expect(lines.join('')).not.toContain(token)
  })

  it("keeps Asana's X-Hook-Secret and Notion's verification_token out of the log", async () => {
    const asanaSecret = `asana-${randomUUID()}`
    const asana = await trigger({ response: 'asana' })
    await fetch(`${engine.url}/hooks/${asana}`, {
      method: 'POST',
      headers: { 'x-hook-secret': asanaSecret },
    })
    const notionToken = `secret_${randomUUID()}`
    const notion = await trigger({ response: 'notion' })
    await fetch(`${engine.url}/hooks/${notion}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ verification_token: notionToken }),
    })
    expect(await logged(asana)).toContain('"x-hook-secret":"[redacted]"')
    expect(await logged(asana)).not.toContain(asanaSecret)
    expect(await logged(notion)).toContain('[redacted]')
    expect(await logged(notion)).not.toContain(notionToken)
    expect(lines.join('')).not.toContain(asanaSecret)
    expect(lines.join('')).not.toContain(notionToken)
  })
})
