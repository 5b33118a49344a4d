import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findInboundRequest, insertInboundRequests } from '../../src/inbound/request-store.ts'
import { newId } from '../../src/ids.ts'
import { findTrigger, findTriggerCached, insertTrigger } from '../../src/inbound/store.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import {
  createTrigger,
  inboundConfig,
  inboundRequests,
  sendHook,
  triggerEvents,
  waitForOutcome,
} from './helpers.ts'

let server: TestServer
let key: string
let projectId: string
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
  ;({ apiKey: key, projectId } = await server.createProject())
})
afterAll(() => server.close())

const secret = 'github-webhook-secret-0001'
const sign = (body: string | Buffer) =>
  'sha256=' + createHmac('sha256', secret).update(body).digest('hex')
const github = { verification: { preset: 'github', secrets: [secret] } }

describe('receiving', () => {
  it('answers 404 for an unknown trigger and stores nothing', async () => {
    const res = await sendHook(server, '01900000-0000-7000-8000-000000000000', { body: '{}' })
    expect(res.status).toBe(404)
    const all = await server.api('GET', '/v1/inbound-requests', { key })
    expect(
      all.body.data.filter((r: any) => r.triggerId === '01900000-0000-7000-8000-000000000000'),
    ).toEqual([])
  })

  it('verifies the raw bytes, not a re-serialisation of the JSON', async () => {
    const trigger = await createTrigger(server, key, github)
    const body = '{\n  "zen" :"Keep it logically awesome.",\t"hook_id":1,"unicode":"caf\\u00e9"   }'
    const res = await sendHook(server, trigger.id, {
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) },
      body,
    })
    expect(res.status).toBe(200)
    const [logged] = await inboundRequests(server, key, trigger.id)
    expect(logged.body).toBe(body)
  })

  it('keeps every content type as raw bytes: text, form, binary and none', async () => {
    const trigger = await createTrigger(server, key, github)
    const binary = Buffer.from([0, 255, 1, 254, 10, 13])
    for (const [type, body] of [
      ['text/plain', 'plain text'],
      ['application/x-www-form-urlencoded', 'a=1&b=%20two'],
      ['application/octet-stream', binary],
      [undefined, 'no content type'],
    ] as const) {
      const headers: Record<string, string> = { 'x-hub-signature-256': sign(body) }
      if (type) headers['content-type'] = type
      const res = await sendHook(server, trigger.id, { headers, body })
      expect(res.status, `${type}: ${res.text}`).toBe(200)
    }
  })

  it('stores every request of a group commit with its own bytes', async () => {
    const trigger = await createTrigger(server, key, {})
    // One statement carries the batch's bodies as one buffer, each row its slice of it.
    const bodies = [
      Buffer.from('{"city":"Zürich","emoji":"🚀"}'),
      Buffer.from([0, 255, 1, 254, 0]),
      Buffer.alloc(0),
      Buffer.from('x'.repeat(3000)),
    ]
    const rows = bodies.map((body) => ({
      id: newId(),
      projectId,
      triggerId: trigger.id,
      credentialId: null,
      method: 'POST',
      path: `/hooks/${trigger.id}`,
      queryString: '',
      headers: { 'content-length': String(body.length) },
      body,
      receivedAt: new Date(),
      outcome: 'accepted' as const,
      reason: null,
      responseStatus: 200,
    }))
    await insertInboundRequests(server.engine.db.kysely, rows)
    for (const [i, row] of rows.entries()) {
      const stored = await findInboundRequest(server.engine.db.kysely, projectId, row.id)
      expect(Buffer.from(stored!.body).equals(bodies[i]!), `body ${i}`).toBe(true)
    }
  })

  it('reads a trigger once for requests that arrive together, and again after an edit', async () => {
    const trigger = await createTrigger(server, key, { name: 'before' })
    const { counting, reads } = countingQueries()
    const together = () =>
      Promise.all(Array.from({ length: 20 }, () => findTriggerCached(counting, trigger.id)))
    expect((await together()).map((t) => t?.name)).toEqual(Array(20).fill('before'))
    expect(reads()).toBe(1)
    await together()
    expect(reads()).toBe(1)
    const edited = await server.api('PATCH', `/v1/triggers/${trigger.id}`, {
      key,
      body: { name: 'after' },
    })
    expect(edited.status).toBe(200)
    expect((await together()).map((t) => t?.name)).toEqual(Array(20).fill('after'))
    expect(reads()).toBe(2)
  })

  it('reads an unknown id once for requests that arrive together, and finds it once created', async () => {
    const template = await createTrigger(server, key, { name: 'template' })
    const id = newId()
    const { counting, reads } = countingQueries()
    const together = () =>
      Promise.all(Array.from({ length: 20 }, () => findTriggerCached(counting, id)))
    expect(await together()).toEqual(Array(20).fill(null))
    await together()
    expect(reads()).toBe(1)
    // Ids are made by the server, so none is asked for before it exists; were one, the cached
    // "unknown" must not outlive its creation.
    const row = (await findTrigger(server.engine.db.kysely, template.id))!
    await insertTrigger(server.engine.db.kysely, { ...row, id, name: 'created' }, new Date())
    expect((await together()).map((t) => t?.name)).toEqual(Array(20).fill('created'))
    expect(reads()).toBe(2)
  })

  it('answers the next request after an edit or a deletion with the trigger as it now is', async () => {
    const trigger = await createTrigger(server, key, github)
    const send = (signature: string) =>
      sendHook(server, trigger.id, {
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        body: '{"n":1}',
      })
    const signWith = (s: string) =>
      'sha256=' + createHmac('sha256', s).update('{"n":1}').digest('hex')
    const rotated = 'github-webhook-secret-0002'
    expect((await send(signWith(secret))).status).toBe(200)
    const edited = await server.api('PATCH', `/v1/triggers/${trigger.id}`, {
      key,
      body: { verification: { preset: 'github', secrets: [rotated] } },
    })
    expect(edited.status).toBe(200)
    expect((await send(signWith(secret))).status).toBe(401)
    expect((await send(signWith(rotated))).status).toBe(200)
    const limited = await server.api('PATCH', `/v1/triggers/${trigger.id}`, {
      key,
      body: { bodyLimitBytes: 4 },
    })
    expect(limited.status).toBe(200)
    expect((await send(signWith(rotated))).status).toBe(413)
    expect((await server.api('DELETE', `/v1/triggers/${trigger.id}`, { key })).status).toBe(204)
    for (let i = 0; i < 3; i++) expect((await send(signWith(rotated))).status).toBe(404)
  })

  it('accepts PUT and GET as well as POST', async () => {
    const trigger = await createTrigger(server, key, {})
    expect((await sendHook(server, trigger.id, { method: 'PUT', body: 'x' })).status).toBe(200)
    expect((await sendHook(server, trigger.id, { method: 'GET', query: 'a=1' })).status).toBe(200)
    expect((await sendHook(server, trigger.id, { method: 'DELETE' })).status).toBe(404)
  })

  it('answers 413 for a body over the trigger limit, and logs its size without the body', async () => {
    const trigger = await createTrigger(server, key, { bodyLimitBytes: 1000 })
    const res = await sendHook(server, trigger.id, {
      headers: { 'content-type': 'application/json' },
      body: `"${'x'.repeat(2000)}"`,
    })
    expect(res.status).toBe(413)
    expect(JSON.parse(res.text).error.code).toBe('payload_too_large')
    const [logged] = await inboundRequests(server, key, trigger.id)
    expect(logged).toMatchObject({
      outcome: 'rejected',
      body: '',
      bodySize: 2002,
      bodyTruncated: true,
      responseStatus: 413,
    })
  })

  it('answers 413 for a body over the 10 MiB ceiling', async () => {
    const trigger = await createTrigger(server, key, {})
    const res = await sendHook(server, trigger.id, {
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    })
    expect(res.status).toBe(413)
  })

  it('logs a rejected request with the reason and emits nothing', async () => {
    const { apiKey } = await server.createProject('Rejections')
    const trigger = await createTrigger(server, apiKey, github)
    const res = await sendHook(server, trigger.id, {
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' },
      body: '{}',
    })
    expect(res.status).toBe(401)
    expect(res.text).not.toContain('expected')
    const [logged] = await inboundRequests(server, apiKey, trigger.id)
    expect(logged).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringMatching(/^signature mismatch: expected [0-9a-f]{8}…, received 00…$/),
    })
    const missing = await sendHook(server, trigger.id, { body: '{}' })
    expect(missing.status).toBe(401)
    expect((await inboundRequests(server, apiKey, trigger.id))[0].reason).toBe(
      'missing signature (header x-hub-signature-256)',
    )
    expect(await triggerEvents(server, apiKey)).toEqual([])
  })

  it('emits trigger.received after the answer, from the stored row', async () => {
    const { apiKey } = await server.createProject('Emits')
    const trigger = await createTrigger(server, apiKey, { ...github, name: 'push' })
    const body = '{"ref":"refs/heads/main"}'
    const res = await sendHook(server, trigger.id, {
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': sign(body),
        'x-github-event': 'push',
      },
      body,
    })
    const { id } = JSON.parse(res.text)
    const routed = await waitForOutcome(server, apiKey, trigger.id)
    expect(routed).toMatchObject({ id, outcome: 'routed', eventIds: [expect.any(String)] })
    const [event] = await triggerEvents(server, apiKey)
    expect(event).toMatchObject({
      id: routed.eventIds[0],
      integration: 'custom',
      data: {
        triggerId: trigger.id,
        trigger: 'push',
        inboundRequestId: id,
        payload: { ref: 'refs/heads/main' },
        headers: { 'x-github-event': 'push' },
      },
    })
  })

  it('filters the log by outcome', async () => {
    const trigger = await createTrigger(server, key, github)
    await sendHook(server, trigger.id, { body: 'unsigned' })
    const res = await server.api(
      'GET',
      `/v1/inbound-requests?triggerId=${trigger.id}&outcome=accepted`,
      { key },
    )
    expect(res.body.data).toEqual([])
    const rejected = await server.api(
      'GET',
      `/v1/inbound-requests?triggerId=${trigger.id}&outcome=rejected`,
      { key },
    )
    expect(rejected.body.data).toHaveLength(1)
  })
})

describe('custom code', () => {
  const verifyCode = `function verify(request, ctx) {
    const expected = 'sha256=' + hmac('sha256', ctx.secrets[0], request.body, 'hex')
    return timingSafeEqual(expected, request.headers['x-signature'] || '') ? true : { valid: false, reason: 'bad signature' }
  }`

  it('verifies with injected helpers', async () => {
    const trigger = await createTrigger(server, key, {
      verification: { code: verifyCode, secrets: [secret] },
    })
    const body = '{"ok": true}'
    expect(
      (await sendHook(server, trigger.id, { headers: { 'x-signature': sign(body) }, body })).status,
    ).toBe(200)
    expect(
      (await sendHook(server, trigger.id, { headers: { 'x-signature': sign('other') }, body }))
        .status,
    ).toBe(401)
    expect((await inboundRequests(server, key, trigger.id))[0].reason).toBe('bad signature')
  })

  it('answers a handshake with respond() and persists a value', async () => {
    const respond = `function respond(request) {
      if (request.query.challenge) return { status: 200, headers: { 'content-type': 'text/plain' }, body: request.query.challenge, persist: { seen: request.query.challenge } }
      return null
    }`
    const trigger = await createTrigger(server, key, { response: { code: respond } })
    const res = await sendHook(server, trigger.id, { method: 'GET', query: 'challenge=c-42' })
    expect(res).toMatchObject({ status: 200, text: 'c-42' })
    expect((await sendHook(server, trigger.id, { body: 'event' })).status).toBe(200)
  })

  it('cannot reach the host: no process, require or fetch', async () => {
    const code = `function verify() { return typeof process === 'undefined' && typeof require === 'undefined' && typeof fetch === 'undefined' && typeof globalThis.Buffer === 'undefined' }`
    const trigger = await createTrigger(server, key, { verification: { code } })
    expect((await sendHook(server, trigger.id, { body: 'x' })).status).toBe(200)
    const escape = await createTrigger(server, key, {
      verification: {
        code: `function verify() { return require('fs').readFileSync('/etc/passwd') }`,
      },
    })
    const res = await sendHook(server, escape.id, { body: 'x' })
    expect(res.status).toBe(500)
    expect(JSON.parse(res.text).error.code).toBe('custom_code_failed')
    expect((await inboundRequests(server, key, escape.id))[0]).toMatchObject({
      outcome: 'error',
      reason: expect.stringContaining("'require' is not defined"),
    })
  })

  it('stops an infinite loop at the time limit and stays up', async () => {
    const trigger = await createTrigger(server, key, {
      verification: { code: 'function verify() { while (true) {} }' },
    })
    const started = Date.now()
    const res = await sendHook(server, trigger.id, { body: 'x' })
    expect(res.status).toBe(500)
    expect(Date.now() - started).toBeLessThan(1000)
    expect((await inboundRequests(server, key, trigger.id))[0].reason).toMatch(/time limit/)
    expect((await server.api('GET', '/healthz')).status).toBe(200)
  })

  it('stops an allocation past the memory limit', async () => {
    const trigger = await createTrigger(server, key, {
      verification: {
        code: 'function verify() { return new ArrayBuffer(64 * 1024 * 1024).byteLength > 0 }',
      },
    })
    const res = await sendHook(server, trigger.id, { body: 'x' })
    expect(res.status).toBe(500)
    expect((await inboundRequests(server, key, trigger.id))[0].reason).toMatch(/out of memory/)
  })
})

/** The engine's store, counting the queries sent through it. */
function countingQueries() {
  let count = 0
  const counting = server.engine.db.kysely.withPlugin({
    transformQuery: (args) => {
      count++
      return args.node
    },
    transformResult: async (args) => args.result,
  })
  return { counting, reads: () => count }
}
