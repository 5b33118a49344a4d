import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createTrigger, inboundConfig, inboundRequests, sendHook } from '../inbound/helpers.ts'

/*
 * Issue #24 item 12 (part): an HMAC keyed with "" is one anyone can compute, so an empty secret
 * is refused wherever one is configured (400 at save), and a reference that resolves to an empty
 * value at verify time names no secret (the request is rejected, never verified with "").
 */

let server: TestServer
let key: string
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

const saveTrigger = (body: Record<string, unknown>) =>
  server.api('POST', '/v1/triggers', {
    key,
    body: { integration: 'custom', name: 'n', level: 'app', ...body },
  })
const emptyKeySignature = (body: string) =>
  'sha256=' + createHmac('sha256', '').update(body).digest('hex')

describe('at save', () => {
  it.each([
    ['an empty literal', { preset: 'github', secrets: [''] }, 'validation_failed'],
    ['a blank literal', { preset: 'github', secrets: ['   '] }, 'invalid_trigger'],
    [
      'a whsec_ key with no bytes',
      { preset: 'standard-webhooks', secrets: ['whsec_'] },
      'invalid_trigger',
    ],
    [
      'a base64 key with no bytes',
      { preset: 'hmac', signature: { header: 'x-sig' }, keyEncoding: 'base64', secrets: ['===='] },
      'invalid_trigger',
    ],
    [
      'a Basic secret without a password',
      { preset: 'basic', secrets: ['user:'] },
      'invalid_trigger',
    ],
  ])('refuses %s as a verification secret', async (_what, verification, code) => {
    const res = await saveTrigger({ verification })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe(code)
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/verification/secrets/0' })]),
    )
  })

  it('refuses an empty Meta verify token (it would match a request that sends none)', async () => {
    const res = await saveTrigger({ response: { preset: 'meta', verifyToken: ' ' } })
    expect(res.status).toBe(400)
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ path: '/response/verifyToken' }),
    ])
  })

  it('refuses an empty or blank developer token', async () => {
    for (const value of ['', '  '])
      expect(
        (
          await server.api('PUT', '/v1/integrations/acme', {
            key,
            body: { tokens: { signingSecret: value } },
          })
        ).status,
        JSON.stringify(value),
      ).toBe(400)
    const blank = await server.api('PUT', '/v1/integrations/acme', {
      key,
      body: { tokens: { signingSecret: '  ' } },
    })
    expect(blank.body.error.details).toEqual([
      expect.objectContaining({ path: '/tokens/signingSecret' }),
    ])
  })

  it('refuses a blank secret option of a destination preset', async () => {
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: { events: ['*'], template: { preset: 'datadog', apiKey: '   ' } },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_preset')
  })
})

describe('at verify time', () => {
  const userTrigger = async (
    verification: Record<string, unknown>,
    tokens: Record<string, string>,
  ) => {
    const credentialId = `cred-${Math.random().toString(36).slice(2)}`
    const put = await server.api('PUT', `/v1/credentials/${credentialId}`, {
      key,
      body: { userId: 'u1', integration: 'custom', status: 'VALID', tokens },
    })
    expect(put.status, JSON.stringify(put.body)).toBeLessThan(300)
    const trigger = await createTrigger(server, key, { level: 'user', verification })
    return { trigger, query: `id=${credentialId}` }
  }

  it("rejects an HMAC keyed with a credential's empty token instead of verifying it", async () => {
    const { trigger, query } = await userTrigger(
      { preset: 'github', secrets: [{ from: 'credential', key: 'webhookSecret' }] },
      { webhookSecret: '' },
    )
    const body = '{"action":"opened"}'
    const res = await sendHook(server, trigger.id, {
      query,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': emptyKeySignature(body),
      },
      body,
    })
    expect(res.status).toBe(401)
    const [logged] = await inboundRequests(server, key, trigger.id)
    expect(logged.reason).toMatch(/no secret is configured/)
  })

  it('rejects an empty API key header matched against an empty token', async () => {
    const { trigger, query } = await userTrigger(
      { preset: 'api-key', secrets: [{ from: 'credential', key: 'apiKey' }] },
      { apiKey: '' },
    )
    const res = await sendHook(server, trigger.id, {
      query,
      headers: { 'x-api-key': '' },
      body: '{}',
    })
    expect(res.status).toBe(401)
  })

  it('refuses a Zoom url_validation when the secret resolves empty, never answering HMAC("")', async () => {
    const { trigger, query } = await userTrigger(
      { preset: 'zoom', secrets: [{ from: 'credential', key: 'zoomSecret' }] },
      { zoomSecret: '' },
    )
    await server.api('PATCH', `/v1/triggers/${trigger.id}`, { key, body: { response: 'zoom' } })
    const body = JSON.stringify({
      payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' },
      event: 'endpoint.url_validation',
    })
    const ts = String(Math.floor(Date.now() / 1000))
    const res = await sendHook(server, trigger.id, {
      query,
      headers: {
        'content-type': 'application/json',
        'x-zm-request-timestamp': ts,
        'x-zm-signature': 'v0=' + createHmac('sha256', '').update(`v0:${ts}:${body}`).digest('hex'),
      },
      body,
    })
    expect(res.status).toBe(400)
    expect(res.text).not.toContain(
      createHmac('sha256', '').update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    )
  })
})
