import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createTrigger, inboundConfig, inboundRequests, sendHook } from '../inbound/helpers.ts'

/*
 * Issue #24 item 3: X's CRC answers HMAC-SHA256(consumer secret, crc_token), and X signs a POST
 * body B as exactly HMAC-SHA256(consumer secret, B). Answering any crc_token hands anyone who
 * knows the URL the signature of the event they choose. A token is bounded to what X sends
 * (short base64/UUID text), and a body that could be a token is never accepted.
 */

let server: TestServer
let key: string
const secret = 'x-consumer-secret-for-tests'
let xTrigger: { id: string }
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
  key = (await server.createProject()).apiKey
  xTrigger = await createTrigger(server, key, {
    response: 'x',
    verification: { preset: 'x', secrets: [secret] },
  })
})
afterAll(() => server.close())

const xSignature = (body: string) =>
  'sha256=' + createHmac('sha256', secret).update(body).digest('base64')
const crc = (token: string) =>
  sendHook(server, xTrigger.id, { method: 'GET', query: `crc_token=${encodeURIComponent(token)}` })

describe('X CRC', () => {
  it('refuses to answer a crc_token that is an event body, so it cannot sign one', async () => {
    const forged = '{"for_user_id":"2244994945","tweet_create_events":[{"text":"forged"}]}'
    const res = await crc(forged)
    expect(res.status).toBe(400)
    expect(JSON.parse(res.text).error.code).toBe('invalid_handshake')
    expect(res.text).not.toContain(xSignature(forged).slice(7))
    const [logged] = await inboundRequests(server, key, xTrigger.id)
    expect(logged).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining('crc_token'),
    })
    // Without the oracle the forged event has no signature that verifies.
    const post = await sendHook(server, xTrigger.id, {
      headers: {
        'content-type': 'application/json',
        'x-twitter-webhooks-signature': 'sha256=AAAA',
      },
      body: forged,
    })
    expect(post.status).toBe(401)
  })

  it('answers the token shapes X sends: short random text, a UUID, base64 of a UUID', async () => {
    for (const token of [
      'uzwcfYtzr9',
      '9b4507b3-9040-4669-9ca3-6b94edb50553',
      'M2RkODJkZmMtYjlkYi00NmQ4LTk0MGUtM2JjYzkwM2Q4MjQ0',
    ]) {
      const res = await crc(token)
      expect(res.status, token).toBe(200)
      expect(JSON.parse(res.text)).toEqual({ response_token: xSignature(token) })
    }
  })

  it('bounds a token to 128 characters of base64, base64url and UUID text', async () => {
    expect((await crc('a'.repeat(128))).status).toBe(200)
    expect((await crc('a'.repeat(129))).status).toBe(400)
    for (const token of ['a b', 'a"b', 'a{b', 'a:b', 'a\nb', ''])
      expect((await crc(token)).status, JSON.stringify(token)).toBe(400)
  })

  it('refuses a POST body that could be a CRC token, even signed with a CRC answer', async () => {
    const body = 'uzwcfYtzr9'
    const answer = JSON.parse((await crc(body)).text).response_token as string
    const res = await sendHook(server, xTrigger.id, {
      headers: { 'x-twitter-webhooks-signature': answer },
      body,
    })
    expect(res.status).toBe(400)
    expect(JSON.parse(res.text).error.code).toBe('invalid_handshake')
  })

  it('still accepts a signed JSON event', async () => {
    const body = '{"for_user_id":"2244994945","tweet_create_events":[]}'
    const res = await sendHook(server, xTrigger.id, {
      headers: {
        'content-type': 'application/json',
        'x-twitter-webhooks-signature': xSignature(body),
      },
      body,
    })
    expect(res.status).toBe(200)
  })

  it('refuses at save an X or Zoom handshake without a verification secret to answer with', async () => {
    for (const preset of ['x', 'zoom']) {
      const res = await server.api('POST', '/v1/triggers', {
        key,
        body: { integration: 'custom', name: 'n', level: 'app', response: preset },
      })
      expect(res.status).toBe(400)
      expect(res.body.error).toMatchObject({
        code: 'invalid_trigger',
        details: [expect.objectContaining({ path: '/response/preset' })],
      })
    }
  })
})

describe('Zoom url_validation', () => {
  const zoomSecret = 'zoom_secret_token'
  const signed = (body: string) => {
    const ts = String(Math.floor(Date.now() / 1000))
    return {
      'content-type': 'application/json',
      'x-zm-request-timestamp': ts,
      'x-zm-signature':
        'v0=' + createHmac('sha256', zoomSecret).update(`v0:${ts}:${body}`).digest('hex'),
    }
  }
  const validation = (plainToken: string) =>
    JSON.stringify({ payload: { plainToken }, event: 'endpoint.url_validation' })

  it('answers a plainToken of the shape Zoom sends', async () => {
    const trigger = await createTrigger(server, key, {
      response: 'zoom',
      verification: { preset: 'zoom', secrets: [zoomSecret] },
    })
    const body = validation('qgg8vlvZRS6UYooatFL8Aw')
    const res = await sendHook(server, trigger.id, { headers: signed(body), body })
    expect(JSON.parse(res.text).encryptedToken).toBe(
      createHmac('sha256', zoomSecret).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    )
  })

  it('refuses a plainToken that is not a short random string, even signed', async () => {
    const trigger = await createTrigger(server, key, {
      response: 'zoom',
      verification: { preset: 'zoom', secrets: [zoomSecret] },
    })
    const body = validation('v0:1700000000:{"event":"meeting.started"}')
    const res = await sendHook(server, trigger.id, { headers: signed(body), body })
    expect(res.status).toBe(400)
    expect(res.text).not.toContain('encryptedToken')
  })
})
