import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { sql } from '../../src/store/index.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { inboundConfig, publicUrl, sendHook } from '../inbound/helpers.ts'
import { startFakeProvider, type FakeProvider } from './fake-provider.ts'

/*
 * App-level API setup: the subscribe request runs once, authenticated with the app's client
 * secret from the integration's developer tokens (no credential), against a real HTTP provider.
 */

const firstSecret = 'client-secret-one-0000000001'
let server: TestServer
let provider: FakeProvider
let key: string
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
  provider = await startFakeProvider(firstSecret)
})
afterAll(async () => {
  await server.close()
  await provider.close()
})
beforeEach(async () => {
  provider.clientSecret = firstSecret
  key = (await server.createProject()).apiKey
  const res = await server.api('PUT', '/v1/integrations/fakeprovider', {
    key,
    body: {
      name: 'Fake Provider',
      baseUrl: provider.url,
      tokens: { clientSecret: firstSecret, signingSecret: 'signing-secret-0000000001' },
    },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
})

/** An app-level trigger whose setup authenticates with the client secret. */
async function appTrigger(extra: Record<string, unknown> = {}) {
  const res = await server.api('POST', '/v1/triggers', {
    key,
    body: {
      integration: 'fakeprovider',
      name: 'contact_changed',
      level: 'app',
      setup: {
        mode: 'api',
        subscribe: {
          method: 'POST',
          url: '/app/webhooks',
          headers: { 'x-client-secret': '{{integration.tokens.clientSecret}}' },
          body: { target: '{{settings.webhookURL}}' },
          persist: { webhookId: '$.id', signingSecret: '$.signing.secret' },
        },
        unsubscribe: {
          method: 'DELETE',
          url: '{{integration.baseUrl}}/app/webhooks/{{persisted.webhookId}}',
          headers: { 'x-client-secret': '{{integration.tokens.clientSecret}}' },
        },
      },
      ...extra,
    },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body as { id: string; url: string }
}

const subscriptions = async (triggerId: string) =>
  (await server.api('GET', `/v1/triggers/${triggerId}/subscriptions`, { key })).body.data

describe('app-level API setup', () => {
  it('subscribes once with the developer tokens and keeps what the answer persists', async () => {
    const trigger = await appTrigger()
    const res = await server.api('POST', `/v1/triggers/${trigger.id}/subscriptions`, {
      key,
      body: {},
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({
      triggerId: trigger.id,
      credentialId: null,
      status: 'active',
      responseStatus: 201,
      persisted: ['webhookId', 'signingSecret'],
    })
    expect([...provider.webhooks.values()]).toContainEqual({
      target: `${publicUrl}/hooks/${trigger.id}`,
      kind: 'app',
      user: null,
    })
    expect(provider.calls.at(-1)).toMatchObject({ method: 'POST', clientSecret: firstSecret })
    expect(await subscriptions(trigger.id)).toMatchObject([
      { credentialId: null, status: 'active', error: null },
    ])
    const { rows } = await sql<{ key: string; credential_id: string }>`
      select key, credential_id from trigger_values where trigger_id = ${trigger.id}
      order by key`.execute(server.engine.db.kysely)
    expect(rows).toEqual([
      { key: 'signingSecret', credential_id: '' },
      { key: 'webhookId', credential_id: '' },
    ])
  })

  it('verifies events with the secret the subscribe answer persisted on the trigger', async () => {
    const trigger = await appTrigger({
      verification: { preset: 'github', secrets: [{ from: 'persisted', key: 'signingSecret' }] },
    })
    const sub = await server.api('POST', `/v1/triggers/${trigger.id}/subscriptions`, {
      key,
      body: {},
    })
    const webhookId = [...provider.webhooks.keys()].at(-1)!
    expect(sub.status).toBe(201)
    const body = JSON.stringify({ contact: 1 })
    const sign = (secret: string) =>
      'sha256=' + createHmac('sha256', secret).update(body).digest('hex')
    const send = (secret: string) =>
      sendHook(server, trigger.id, {
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(secret) },
        body,
      })
    expect((await send(`whsec-${webhookId}`)).status).toBe(200)
    expect((await send('some-other-secret')).status).toBe(401)
  })

  it('runs the unsubscribe request with the developer tokens and forgets the values', async () => {
    const trigger = await appTrigger()
    // No body at all is the app-level form too.
    const sub = await server.api('POST', `/v1/triggers/${trigger.id}/subscriptions`, { key })
    expect(sub.status, JSON.stringify(sub.body)).toBe(201)
    const webhookId = [...provider.webhooks.keys()].at(-1)!
    const res = await server.api('DELETE', `/v1/triggers/${trigger.id}/subscriptions`, { key })
    expect(res.status, JSON.stringify(res.body)).toBe(204)
    expect(provider.deleted.at(-1)).toBe(webhookId)
    expect(provider.calls.at(-1)).toMatchObject({
      method: 'DELETE',
      path: `/app/webhooks/${webhookId}`,
      clientSecret: firstSecret,
    })
    expect(await subscriptions(trigger.id)).toEqual([])
    const { rows } =
      await sql`select 1 from trigger_values where trigger_id = ${trigger.id}`.execute(
        server.engine.db.kysely,
      )
    expect(rows).toEqual([])
  })

  it('uses a rotated client secret for every trigger without editing them', async () => {
    const a = await appTrigger()
    const b = await appTrigger({ name: 'deal_changed' })
    provider.clientSecret = 'client-secret-two-0000000002'
    const stale = await server.api('POST', `/v1/triggers/${a.id}/subscriptions`, { key, body: {} })
    expect(stale.status).toBe(502)
    const rotate = await server.api('PUT', '/v1/integrations/fakeprovider', {
      key,
      body: { tokens: { clientSecret: 'client-secret-two-0000000002' } },
    })
    expect(rotate.status).toBe(200)
    for (const trigger of [a, b]) {
      const res = await server.api('POST', `/v1/triggers/${trigger.id}/subscriptions`, {
        key,
        body: {},
      })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      expect(provider.calls.at(-1)?.clientSecret).toBe('client-secret-two-0000000002')
    }
  })

  it('marks a refused subscription failed with the provider status and body, then retries it', async () => {
    const trigger = await appTrigger()
    provider.clientSecret = 'not-what-the-integration-has'
    const res = await server.api('POST', `/v1/triggers/${trigger.id}/subscriptions`, {
      key,
      body: {},
    })
    expect(res.status).toBe(502)
    expect(res.body.error).toMatchObject({
      code: 'subscription_failed',
      details: { status: 401, subscription: { status: 'failed', responseStatus: 401 } },
    })
    expect(res.body.error.details.body).toContain('unknown client secret')
    const [failed] = await subscriptions(trigger.id)
    expect(failed).toMatchObject({ credentialId: null, status: 'failed', responseStatus: 401 })
    expect(failed.error).toContain('invalid_client')
    // Never half-saved: nothing the answer would have persisted is kept.
    const { rows } =
      await sql`select 1 from trigger_values where trigger_id = ${trigger.id}`.execute(
        server.engine.db.kysely,
      )
    expect(rows).toEqual([])

    provider.clientSecret = firstSecret
    const retry = await server.api('POST', `/v1/triggers/${trigger.id}/subscriptions`, {
      key,
      body: {},
    })
    expect(retry.status).toBe(201)
    expect(await subscriptions(trigger.id)).toMatchObject([
      { status: 'active', responseStatus: 201, error: null },
    ])
  })

  it('marks a subscription failed when the provider cannot be reached', async () => {
    const closed = await startFakeProvider(firstSecret)
    await closed.close()
    const trigger = await appTrigger()
    await server.api('PUT', '/v1/integrations/fakeprovider', { key, body: { baseUrl: closed.url } })
    const res = await server.api('POST', `/v1/triggers/${trigger.id}/subscriptions`, {
      key,
      body: {},
    })
    expect(res.status).toBe(502)
    expect(res.body.error.code).toBe('subscription_failed')
    expect(await subscriptions(trigger.id)).toMatchObject([
      {
        status: 'failed',
        responseStatus: null,
        error: expect.stringContaining('could not be reached'),
      },
    ])
  })

  it('refuses at save time a template that names a token the integration does not have', async () => {
    const res = await server.api('POST', '/v1/triggers', {
      key,
      body: {
        integration: 'fakeprovider',
        name: 'n',
        level: 'app',
        setup: {
          mode: 'api',
          subscribe: {
            method: 'POST',
            url: '/app/webhooks',
            headers: { authorization: 'Bearer {{integration.tokens.apiKey}}' },
          },
        },
        verification: { preset: 'github', secrets: [{ from: 'integration', key: 'hmacKey' }] },
      },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_trigger')
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ path: '/setup/subscribe/headers/authorization', token: 'apiKey' }),
      expect.objectContaining({ path: '/verification/secrets/0', token: 'hmacKey' }),
    ])
    expect(res.body.error.details[0].message).toContain('"apiKey"')
  })

  it('needs a credential for a user-level trigger', async () => {
    const trigger = await server.api('POST', '/v1/triggers', {
      key,
      body: {
        integration: 'fakeprovider',
        name: 'n',
        level: 'user',
        setup: { mode: 'api', subscribe: { method: 'POST', url: '/users/webhooks' } },
      },
    })
    const res = await server.api('POST', `/v1/triggers/${trigger.body.id}/subscriptions`, {
      key,
      body: {},
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: '/credentialId' }],
    })
  })

  it("answers 404 for another project's trigger subscriptions", async () => {
    const trigger = await appTrigger()
    const other = await server.createProject('other')
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await server.api(method, `/v1/triggers/${trigger.id}/subscriptions`, {
        key: other.apiKey,
        ...(method === 'POST' ? { body: {} } : {}),
      })
      expect(res.status).toBe(404)
    }
  })
})
