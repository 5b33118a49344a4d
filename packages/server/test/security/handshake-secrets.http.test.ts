import { createHmac, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClock } from '../helpers/clock.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createTrigger, inboundConfig, inboundRequests, sendHook } from '../inbound/helpers.ts'

/*
 * Issue #24 item 2: an unsigned handshake (Asana's X-Hook-Secret, Notion's verification_token,
 * custom respond() code's persist) carries the value that verifies every later event. Anyone who
 * knows a trigger URL can send one, so only the first value is kept, unless the project expects a
 * handshake (an API setup in flight, or a window opened with expect-handshake).
 */

let server: TestServer
let key: string
const clock = createClock()
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig, now: clock.now })
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

const json = { 'content-type': 'application/json' }
const event = '{"events":[{"action":"changed","resource":{"gid":"1"}}]}'
const hex = () => randomBytes(32).toString('hex')

const asanaTrigger = () =>
  createTrigger(server, key, { response: 'asana', verification: { preset: 'asana' } })
const asanaHello = (triggerId: string, secret: string) =>
  sendHook(server, triggerId, { headers: { 'x-hook-secret': secret } })
const asanaEvent = (triggerId: string, secret: string) =>
  sendHook(server, triggerId, {
    headers: {
      ...json,
      'x-hook-signature': createHmac('sha256', secret).update(event).digest('hex'),
    },
    body: event,
  })

const notionTrigger = () =>
  createTrigger(server, key, { response: 'notion', verification: { preset: 'notion' } })
const notionHello = (triggerId: string, token: string) =>
  sendHook(server, triggerId, {
    headers: json,
    body: JSON.stringify({ verification_token: token }),
  })
const notionEvent = (triggerId: string, token: string) => {
  const body = '{"type":"page.created","workspace_id":"w1"}'
  const signature = 'sha256=' + createHmac('sha256', token).update(body).digest('hex')
  return sendHook(server, triggerId, {
    headers: { ...json, 'x-notion-signature': signature },
    body,
  })
}

const expectHandshake = (triggerId: string, body?: Record<string, unknown>, apiKey = key) =>
  server.api('POST', `/v1/triggers/${triggerId}/expect-handshake`, { key: apiKey, body })

describe('a handshake after the secret is kept', () => {
  it('Asana: a forged X-Hook-Secret is refused 409 and the real secret still verifies', async () => {
    const trigger = await asanaTrigger()
    const real = hex()
    expect((await asanaHello(trigger.id, real)).status).toBe(200)
    const forged = await asanaHello(trigger.id, 'attacker-chosen-secret')
    expect(forged.status).toBe(409)
    expect(JSON.parse(forged.text).error).toMatchObject({
      code: 'handshake_not_expected',
      message: expect.stringContaining(`/v1/triggers/${trigger.id}/expect-handshake`),
    })
    expect(forged.headers.get('x-hook-secret')).toBeNull()
    expect((await asanaEvent(trigger.id, real)).status).toBe(200)
    expect((await asanaEvent(trigger.id, 'attacker-chosen-secret')).status).toBe(401)
  })

  it('Notion: a forged verification_token is refused and the real token still verifies', async () => {
    const trigger = await notionTrigger()
    const real = `secret_${hex()}`
    expect((await notionHello(trigger.id, real)).status).toBe(200)
    expect((await notionHello(trigger.id, 'secret_forged')).status).toBe(409)
    expect((await notionEvent(trigger.id, real)).status).toBe(200)
    expect((await notionEvent(trigger.id, 'secret_forged')).status).toBe(401)
  })

  it('logs the refused handshake as rejected with the reason', async () => {
    const trigger = await asanaTrigger()
    await asanaHello(trigger.id, hex())
    await asanaHello(trigger.id, hex())
    const [latest] = await inboundRequests(server, key, trigger.id)
    expect(latest).toMatchObject({
      outcome: 'rejected',
      responseStatus: 409,
      reason: 'handshake refused: hookSecret already set and no handshake window open',
    })
  })

  it('answers the same secret again: a provider repeating a handshake it lost', async () => {
    const trigger = await asanaTrigger()
    const real = hex()
    await asanaHello(trigger.id, real)
    const again = await asanaHello(trigger.id, real)
    expect(again.status).toBe(200)
    expect(again.headers.get('x-hook-secret')).toBe(real)
  })

  it('refuses custom respond() code overwriting a value it persisted', async () => {
    const code = `function respond(request) {
      const k = request.headers['x-setup-key']
      return k ? { status: 200, body: 'ok', persist: { signingKey: k } } : null
    }`
    const verify = `function verify(request, ctx) {
      return request.headers['x-signature'] === hmac('sha256', ctx.secrets[0], request.body)
    }`
    const trigger = await createTrigger(server, key, {
      response: { code },
      verification: { code: verify, secrets: [{ from: 'persisted', key: 'signingKey' }] },
    })
    const first = await sendHook(server, trigger.id, { headers: { 'x-setup-key': 'first-key' } })
    expect(first.status).toBe(200)
    const second = await sendHook(server, trigger.id, { headers: { 'x-setup-key': 'evil-key' } })
    expect(second.status).toBe(409)
    const signed = (secret: string) =>
      sendHook(server, trigger.id, {
        headers: { 'x-signature': createHmac('sha256', secret).update('e').digest('hex') },
        body: 'e',
      })
    expect((await signed('first-key')).status).toBe(200)
    expect((await signed('evil-key')).status).toBe(401)
  })

  it('refuses an empty X-Hook-Secret, so no empty key is ever kept', async () => {
    const trigger = await asanaTrigger()
    const empty = await sendHook(server, trigger.id, { headers: { 'x-hook-secret': '' } })
    expect(empty.status).toBe(400)
    expect(JSON.parse(empty.text).error.code).toBe('invalid_handshake')
    expect((await asanaEvent(trigger.id, '')).status).toBe(401)
    expect((await asanaHello(trigger.id, hex())).status).toBe(200)
  })
})

describe('expect-handshake', () => {
  it('opens a window shown on the trigger, in which the next handshake replaces the secret', async () => {
    const trigger = await asanaTrigger()
    const old = hex()
    await asanaHello(trigger.id, old)
    const opened = await expectHandshake(trigger.id, { seconds: 120 })
    expect(opened.status, JSON.stringify(opened.body)).toBe(201)
    expect(opened.body).toMatchObject({ triggerId: trigger.id, credentialId: null, kind: 'api' })
    const shown = await server.api('GET', `/v1/triggers/${trigger.id}`, { key })
    expect(shown.body.handshakeWindows).toEqual([
      {
        credentialId: null,
        kind: 'api',
        openedAt: opened.body.openedAt,
        expiresAt: opened.body.expiresAt,
      },
    ])
    const rotated = hex()
    expect((await asanaHello(trigger.id, rotated)).status).toBe(200)
    expect((await asanaEvent(trigger.id, rotated)).status).toBe(200)
    expect((await asanaEvent(trigger.id, old)).status).toBe(401)
  })

  it('closes the window once a value is kept', async () => {
    const trigger = await asanaTrigger()
    await asanaHello(trigger.id, hex())
    await expectHandshake(trigger.id)
    const rotated = hex()
    await asanaHello(trigger.id, rotated)
    expect((await server.api('GET', `/v1/triggers/${trigger.id}`, { key })).body).toMatchObject({
      handshakeWindows: [],
    })
    expect((await asanaHello(trigger.id, hex())).status).toBe(409)
    expect((await asanaEvent(trigger.id, rotated)).status).toBe(200)
  })

  it('refuses the handshake once the window has expired', async () => {
    const trigger = await notionTrigger()
    const real = `secret_${hex()}`
    await notionHello(trigger.id, real)
    expect((await expectHandshake(trigger.id, { seconds: 60 })).status).toBe(201)
    clock.advance(61_000)
    expect((await notionHello(trigger.id, 'secret_late')).status).toBe(409)
    expect((await notionEvent(trigger.id, real)).status).toBe(200)
  })

  it('keeps one window per trigger and credential: opening again replaces it', async () => {
    const trigger = await asanaTrigger()
    await expectHandshake(trigger.id, { seconds: 60 })
    const second = await expectHandshake(trigger.id, { seconds: 300 })
    const shown = await server.api('GET', `/v1/triggers/${trigger.id}`, { key })
    expect(shown.body.handshakeWindows).toEqual([
      expect.objectContaining({ expiresAt: second.body.expiresAt }),
    ])
  })

  it('is closed early by DELETE', async () => {
    const trigger = await asanaTrigger()
    await asanaHello(trigger.id, hex())
    await expectHandshake(trigger.id)
    const closed = await server.api('DELETE', `/v1/triggers/${trigger.id}/expect-handshake`, {
      key,
    })
    expect(closed.status).toBe(204)
    expect((await asanaHello(trigger.id, hex())).status).toBe(409)
  })

  it('needs an admin key, and is in the audit log', async () => {
    const trigger = await asanaTrigger()
    const member = await server.api('POST', '/v1/api-keys', {
      key,
      body: { name: 'member', role: 'member' },
    })
    expect((await expectHandshake(trigger.id, {}, member.body.key)).status).toBe(403)
    expect((await expectHandshake(trigger.id)).status).toBe(201)
    const audit = await server.api('GET', '/v1/audit-log?action=trigger.handshake_expected', {
      key,
    })
    expect(audit.body.data[0]).toMatchObject({
      action: 'trigger.handshake_expected',
      targetId: trigger.id,
    })
  })

  it('names the credential of a user-level trigger, and only there', async () => {
    const user = await createTrigger(server, key, {
      level: 'user',
      response: 'asana',
      verification: { preset: 'asana' },
    })
    const app = await asanaTrigger()
    const missing = await expectHandshake(user.id)
    expect(missing.status).toBe(400)
    expect(missing.body.error.details).toEqual([expect.objectContaining({ path: '/credentialId' })])
    expect((await expectHandshake(user.id, { credentialId: 'no-such' })).status).toBe(404)
    expect((await expectHandshake(app.id, { credentialId: 'c1' })).status).toBe(400)
    const tooLong = await expectHandshake(app.id, { seconds: 3601 })
    expect(tooLong.status).toBe(400)
  })

  it('refuses a trigger whose handshake keeps nothing', async () => {
    const trigger = await createTrigger(server, key, { response: 'monday' })
    const res = await expectHandshake(trigger.id)
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('conflict')
  })
})

describe('a user-level trigger', () => {
  it('refuses a per-credential value that would override the whole trigger', async () => {
    await server.api('PUT', '/v1/credentials/cred-1', {
      key,
      body: { userId: 'u1', integration: 'custom', status: 'VALID' },
    })
    const trigger = await createTrigger(server, key, {
      level: 'user',
      response: 'asana',
      verification: { preset: 'asana' },
    })
    const real = hex()
    const hello = (secret: string) =>
      sendHook(server, trigger.id, { query: 'id=cred-1', headers: { 'x-hook-secret': secret } })
    expect((await hello(real)).status).toBe(200)
    expect((await hello(hex())).status).toBe(409)
    expect((await expectHandshake(trigger.id, { credentialId: 'cred-1' })).status).toBe(201)
    const rotated = hex()
    expect((await hello(rotated)).status).toBe(200)
  })
})
