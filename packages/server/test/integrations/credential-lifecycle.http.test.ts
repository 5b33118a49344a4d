import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import {
  inboundConfig,
  inboundRequests,
  publicUrl,
  sendHook,
  waitForOutcome,
} from '../inbound/helpers.ts'
import { startFakeProvider, type FakeProvider } from './fake-provider.ts'

/*
 * User-level API setup driven by the credential's life: subscribed the first time it is VALID
 * (with the app's client secret and the user's token), torn down when it is deleted; requests
 * for an INVALID credential held until it works again.
 */

const clientSecret = 'client-secret-user-level-01'
let server: TestServer
let provider: FakeProvider
let destination: Receiver
let key: string
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
  provider = await startFakeProvider(clientSecret)
  destination = await startReceiver()
})
afterAll(async () => {
  await server.close()
  await provider.close()
  await destination.close()
})
beforeEach(async () => {
  key = (await server.createProject()).apiKey
  await server.api('PUT', '/v1/integrations/fakeprovider', {
    key,
    body: { baseUrl: provider.url, tokens: { clientSecret, verifyToken: 'meta-verify-token-1' } },
  })
})

async function userTrigger(extra: Record<string, unknown> = {}) {
  const res = await server.api('POST', '/v1/triggers', {
    key,
    body: {
      integration: 'fakeprovider',
      name: 'file_changed',
      level: 'user',
      setup: {
        mode: 'api',
        autoSubscribe: true,
        subscribe: {
          method: 'POST',
          url: '/users/webhooks',
          headers: { 'x-client-secret': '{{integration.tokens.clientSecret}}' },
          body: { target: '{{settings.webhookURL}}' },
          persist: { webhookId: '$.id' },
        },
        unsubscribe: {
          method: 'DELETE',
          url: '/users/webhooks/{{persisted.webhookId}}',
          headers: { 'x-client-secret': '{{integration.tokens.clientSecret}}' },
        },
      },
      ...extra,
    },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body as { id: string }
}

const putCredential = (id: string, body: Record<string, unknown>) =>
  server.api('PUT', `/v1/credentials/${id}`, {
    key,
    body: { userId: 'user-1', integration: 'fakeprovider', ...body },
  })

const webhookFor = (target: string) =>
  [...provider.webhooks.entries()].find(([, w]) => w.target === target)

describe('user-level setup and the credential lifecycle', () => {
  it('subscribes a credential the first time it is VALID, with the client secret and its token', async () => {
    const trigger = await userTrigger()
    const manual = await userTrigger({ name: 'manual_only', setup: undefined })
    const pending = await putCredential('cred-auto', {
      status: 'PENDING',
      tokens: { accessToken: 'user-token-auto-000001' },
    })
    expect(pending.status).toBe(201)
    const target = `${publicUrl}/hooks/${trigger.id}?id=cred-auto`
    expect(webhookFor(target)).toBeUndefined()
    expect((await putCredential('cred-auto', { status: 'VALID' })).status).toBe(200)
    expect(webhookFor(target)?.[1]).toEqual({
      target,
      kind: 'user',
      user: 'user-token-auto-000001',
    })
    const subs = await server.api('GET', `/v1/triggers/${trigger.id}/subscriptions`, { key })
    expect(subs.body.data).toMatchObject([{ credentialId: 'cred-auto', status: 'active' }])
    const none = await server.api('GET', `/v1/triggers/${manual.id}/subscriptions`, { key })
    expect(none.body.data).toEqual([])
  })

  it('records a refused automatic subscription as failed without refusing the credential', async () => {
    const trigger = await userTrigger()
    const saved = await putCredential('cred-notoken', { status: 'VALID' })
    expect(saved.status).toBe(201)
    const subs = await server.api('GET', `/v1/triggers/${trigger.id}/subscriptions`, { key })
    expect(subs.body.data).toMatchObject([
      { credentialId: 'cred-notoken', status: 'failed', responseStatus: 401 },
    ])
    expect(subs.body.data[0].error).toContain('user webhooks need the user token')
  })

  it('runs the unsubscribe request when the credential is deleted, and routes nothing to it', async () => {
    const trigger = await userTrigger()
    await putCredential('cred-del', { tokens: { accessToken: 'user-token-del-0000001' } })
    const target = `${publicUrl}/hooks/${trigger.id}?id=cred-del`
    const [webhookId] = webhookFor(target)!
    const res = await server.api('DELETE', '/v1/credentials/cred-del', { key })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toEqual({
      id: 'cred-del',
      unsubscribed: [{ triggerId: trigger.id, status: 'removed' }],
    })
    expect(provider.deleted).toContain(webhookId)
    expect(provider.calls.at(-1)).toMatchObject({
      method: 'DELETE',
      path: `/users/webhooks/${webhookId}`,
      clientSecret,
    })
    expect((await server.api('GET', '/v1/credentials/cred-del', { key })).status).toBe(404)
    const subs = await server.api('GET', `/v1/triggers/${trigger.id}/subscriptions`, { key })
    expect(subs.body.data).toEqual([])
    const late = await sendHook(server, trigger.id, { query: 'id=cred-del', body: '{}' })
    expect(late.status).toBe(404)
  })

  it('deletes the credential even when the provider refuses the unsubscribe, and says so', async () => {
    const trigger = await userTrigger()
    await putCredential('cred-refused', { tokens: { accessToken: 'user-token-ref-0000001' } })
    provider.clientSecret = 'rotated-at-the-provider-only'
    try {
      const res = await server.api('DELETE', '/v1/credentials/cred-refused', { key })
      expect(res.status).toBe(200)
      expect(res.body.unsubscribed).toMatchObject([
        { triggerId: trigger.id, status: 'failed', responseStatus: 401 },
      ])
      expect((await server.api('GET', '/v1/credentials/cred-refused', { key })).status).toBe(404)
    } finally {
      provider.clientSecret = clientSecret
    }
  })

  it('answers 404 when deleting a credential of another project', async () => {
    await putCredential('cred-mine', {})
    const other = await server.createProject('other')
    const res = await server.api('DELETE', '/v1/credentials/cred-mine', { key: other.apiKey })
    expect(res.status).toBe(404)
    expect((await server.api('GET', '/v1/credentials/cred-mine', { key })).status).toBe(200)
  })

  it("answers Meta's handshake with the integration's verify token, rotated in one place", async () => {
    const res = await server.api('POST', '/v1/triggers', {
      key,
      body: {
        integration: 'fakeprovider',
        name: 'page_feed',
        level: 'app',
        response: { preset: 'meta', verifyToken: { from: 'integration', key: 'verifyToken' } },
      },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const handshake = (token: string) =>
      sendHook(server, res.body.id, {
        method: 'GET',
        query: `hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${token}`,
      })
    expect(await handshake('meta-verify-token-1')).toMatchObject({
      status: 200,
      text: '1158201444',
    })
    await server.api('PUT', '/v1/integrations/fakeprovider', {
      key,
      body: { tokens: { verifyToken: 'meta-verify-token-2' } },
    })
    expect((await handshake('meta-verify-token-1')).status).toBe(403)
    expect((await handshake('meta-verify-token-2')).status).toBe(200)
  })

  it('holds requests for an INVALID credential and delivers them once it is VALID again', async () => {
    const dest = await server.api('POST', '/v1/destinations', {
      key,
      body: { url: destination.url, events: ['trigger.received'], format: 'managed-sync' },
    })
    expect(dest.status).toBe(201)
    const trigger = await userTrigger({ invalidCredentials: 'hold' })
    await putCredential('cred-hold', { tokens: { accessToken: 'user-token-hold-000001' } })
    await putCredential('cred-hold', { status: 'INVALID', error: 'refresh token revoked' })
    const sent = await sendHook(server, trigger.id, {
      query: 'id=cred-hold',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ file: 'report.pdf' }),
    })
    expect(sent.status).toBe(200)
    const held = await waitForOutcome(server, key, trigger.id, ['held', 'routed'])
    expect(held).toMatchObject({ outcome: 'held', heldCredentialIds: ['cred-hold'], eventIds: [] })

    expect((await putCredential('cred-hold', { status: 'VALID' })).status).toBe(200)
    const routed = await waitForOutcome(server, key, trigger.id, ['routed'])
    expect(routed).toMatchObject({ credentialIds: ['cred-hold'], heldCredentialIds: [] })
    expect(routed.eventIds).toHaveLength(1)
    const delivered = await waitFor(() =>
      destination.requests.find((r) => JSON.parse(r.body).payload?.file === 'report.pdf'),
    )
    expect(JSON.parse(delivered.body)).toMatchObject({
      credentialId: 'cred-hold',
      userId: 'user-1',
    })
  })

  it('delivers requests for an INVALID credential by default', async () => {
    const trigger = await userTrigger({ setup: { mode: 'manual' } })
    await putCredential('cred-deliver', { status: 'INVALID', error: 'expired' })
    await sendHook(server, trigger.id, { query: 'id=cred-deliver', body: '{}' })
    const routed = await waitForOutcome(server, key, trigger.id)
    expect(routed).toMatchObject({ outcome: 'routed', credentialIds: ['cred-deliver'] })
    expect(await inboundRequests(server, key, trigger.id)).toHaveLength(1)
  })

  it('refuses autoSubscribe on an app-level or manual trigger', async () => {
    const res = await server.api('POST', '/v1/triggers', {
      key,
      body: {
        integration: 'fakeprovider',
        name: 'n',
        level: 'app',
        setup: { mode: 'manual', autoSubscribe: true },
      },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'invalid_trigger',
      details: [{ path: '/setup/autoSubscribe' }],
    })
  })
})
