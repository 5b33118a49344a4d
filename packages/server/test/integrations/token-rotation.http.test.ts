import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { inboundConfig, sendHook } from '../inbound/helpers.ts'

/*
 * Developer tokens as verification secrets and handshake keys: read at each request, so one PUT
 * rotates them for every trigger that names them. Signatures are computed here, independently.
 */

let server: TestServer
let key: string
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
})
afterAll(() => server.close())
beforeEach(async () => {
  key = (await server.createProject()).apiKey
})

const rotate = (type: string, tokens: Record<string, string>) =>
  server.api('PUT', `/v1/integrations/${type}`, { key, body: { tokens } })

async function trigger(body: Record<string, unknown>) {
  const res = await server.api('POST', '/v1/triggers', {
    key,
    body: { name: 'event', level: 'app', ...body },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.id as string
}

function githubSigned(secret: string, payload: unknown) {
  const body = JSON.stringify(payload)
  const signature = 'sha256=' + createHmac('sha256', secret).update(body).digest('hex')
  return {
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body,
  }
}

describe('developer tokens in verification and handshakes', () => {
  it('verifies with the rotated signing secret on every trigger that names it', async () => {
    expect((await rotate('github', { webhookSecret: 'first-secret-000000000001' })).status).toBe(
      201,
    )
    const verification = {
      preset: 'github',
      secrets: [{ from: 'integration', key: 'webhookSecret' }],
    }
    const ids = [
      await trigger({ integration: 'github', verification }),
      await trigger({ integration: 'github', name: 'push', verification }),
    ]
    for (const id of ids)
      expect(
        (await sendHook(server, id, githubSigned('first-secret-000000000001', {}))).status,
      ).toBe(200)
    expect((await rotate('github', { webhookSecret: 'second-secret-00000000002' })).status).toBe(
      200,
    )
    for (const id of ids) {
      const old = await sendHook(server, id, githubSigned('first-secret-000000000001', {}))
      expect(old.status).toBe(401)
      const fresh = await sendHook(server, id, githubSigned('second-secret-00000000002', {}))
      expect(fresh.status).toBe(200)
    }
  })

  it("answers Zoom's URL validation with an HMAC of the integration's secret token", async () => {
    const secretToken = 'zoom-secret-token-000000001'
    await rotate('zoom', { secretToken })
    const id = await trigger({
      integration: 'zoom',
      response: 'zoom',
      verification: { preset: 'zoom', secrets: [{ from: 'integration', key: 'secretToken' }] },
    })
    const body = JSON.stringify({
      event: 'endpoint.url_validation',
      payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' },
    })
    const timestamp = String(Math.floor(Date.now() / 1000))
    const signature =
      'v0=' + createHmac('sha256', secretToken).update(`v0:${timestamp}:${body}`).digest('hex')
    const res = await sendHook(server, id, {
      headers: {
        'content-type': 'application/json',
        'x-zm-request-timestamp': timestamp,
        'x-zm-signature': signature,
      },
      body,
    })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', secretToken)
        .update('qgg8vlvZRS6UYooatFL8Aw')
        .digest('hex'),
    })
  })

  it('refuses a verification secret naming a token the integration does not have', async () => {
    await rotate('github', { webhookSecret: 'first-secret-000000000001' })
    const res = await server.api('POST', '/v1/triggers', {
      key,
      body: {
        integration: 'github',
        name: 'n',
        level: 'app',
        verification: { preset: 'github', secrets: [{ from: 'integration', key: 'webhookSecre' }] },
      },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'invalid_trigger',
      details: [{ path: '/verification/secrets/0', token: 'webhookSecre' }],
    })
  })

  it('checks token references again when a trigger is changed', async () => {
    await rotate('meta', { verifyToken: 'meta-verify-token-000001' })
    const id = await trigger({ integration: 'meta' })
    const res = await server.api('PATCH', `/v1/triggers/${id}`, {
      key,
      body: { response: { preset: 'meta', verifyToken: '{{integration.tokens.verify_token}}' } },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'invalid_trigger',
      details: [{ path: '/response/verifyToken', token: 'verify_token' }],
    })
    const ok = await server.api('PATCH', `/v1/triggers/${id}`, {
      key,
      body: { response: { preset: 'meta', verifyToken: '{{integration.tokens.verifyToken}}' } },
    })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    const handshake = await sendHook(server, id, {
      method: 'GET',
      query: 'hub.mode=subscribe&hub.challenge=42&hub.verify_token=meta-verify-token-000001',
    })
    expect(handshake).toMatchObject({ status: 200, text: '42' })
  })
})
