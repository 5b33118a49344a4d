import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { createTrigger, inboundConfig, sendHook, triggerEvents, waitForOutcome } from './helpers.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
})
afterAll(() => server.close())

const json = { 'content-type': 'application/json' }

async function project() {
  const { apiKey } = await server.createProject()
  const credential = async (
    id: string,
    userId: string,
    integration: string,
    extra: Record<string, unknown> = {},
  ) => {
    const res = await server.api('PUT', `/v1/credentials/${id}`, {
      key: apiKey,
      body: { userId, integration, status: 'VALID', ...extra },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
  }
  const received = async () =>
    (await triggerEvents(server, apiKey)).map((e) => ({
      credentialId: e.credentialId,
      userId: e.userId,
      payload: e.data.payload,
    }))
  return { key: apiKey, credential, received }
}

describe('app-level routing', () => {
  it("sends an event to every credential whose providerAccountId matches the body's value", async () => {
    const p = await project()
    await p.credential('cred-ada', 'ada', 'slack', { providerAccountId: 'T1' })
    await p.credential('cred-bob', 'bob', 'slack', { providerAccountId: 'T1' })
    await p.credential('cred-eve', 'eve', 'slack', { providerAccountId: 'T2' })
    await p.credential('cred-hub', 'ada', 'hubspot', { providerAccountId: 'T1' })
    const trigger = await createTrigger(server, p.key, {
      integration: 'slack',
      routing: { from: 'body', path: '$.team_id' },
    })
    await sendHook(server, trigger.id, {
      headers: json,
      body: '{"team_id":"T1","event":{"type":"message"}}',
    })
    const done = await waitForOutcome(server, p.key, trigger.id)
    expect(done).toMatchObject({ outcome: 'routed', credentialIds: ['cred-ada', 'cred-bob'] })
    expect((await p.received()).map((e) => e.credentialId).sort()).toEqual(['cred-ada', 'cred-bob'])
  })

  it('tries fallbacks in order when the first path finds nothing', async () => {
    const p = await project()
    await p.credential('u1-cred', 'u1', 'slack', { providerAccountId: 'U123' })
    await p.credential('team-cred', 'u2', 'slack', { providerAccountId: 'T9' })
    const trigger = await createTrigger(server, p.key, {
      integration: 'slack',
      routing: {
        from: 'body',
        path: '$.authorizations[0].user_id',
        fallbacks: [{ from: 'body', path: '$.team_id' }],
      },
    })
    await sendHook(server, trigger.id, {
      headers: json,
      body: '{"team_id":"T9","authorizations":[{"user_id":"U123"}]}',
    })
    expect((await waitForOutcome(server, p.key, trigger.id)).credentialIds).toEqual(['u1-cred'])
    await sendHook(server, trigger.id, { headers: json, body: '{"team_id":"T9"}' })
    await waitFor(async () => (await p.received()).length === 2 || undefined)
    expect((await p.received()).map((e) => e.credentialId)).toEqual(['u1-cred', 'team-cred'])
  })

  it('splits an array payload and routes each item (HubSpot portalId)', async () => {
    const p = await project()
    await p.credential('portal-1', 'ada', 'hubspot', { providerAccountId: '62515' })
    await p.credential('portal-2', 'bob', 'hubspot', { providerAccountId: '777' })
    const trigger = await createTrigger(server, p.key, {
      integration: 'hubspot',
      routing: { from: 'body', path: '$.portalId', split: '$[*]' },
    })
    const body =
      '[{"eventId":1,"portalId":62515,"objectId":123},{"eventId":2,"portalId":777,"objectId":9},{"eventId":3,"portalId":1}]'
    await sendHook(server, trigger.id, { headers: json, body })
    await waitForOutcome(server, p.key, trigger.id)
    expect(await p.received()).toEqual([
      {
        credentialId: 'portal-1',
        userId: 'ada',
        payload: { eventId: 1, portalId: 62515, objectId: 123 },
      },
      {
        credentialId: 'portal-2',
        userId: 'bob',
        payload: { eventId: 2, portalId: 777, objectId: 9 },
      },
    ])
  })

  it('routes on a header', async () => {
    const p = await project()
    await p.credential('shop-1', 'ada', 'shopify', { providerAccountId: 'acme.myshopify.com' })
    const trigger = await createTrigger(server, p.key, {
      integration: 'shopify',
      routing: { from: 'header', path: "$['x-shopify-shop-domain']" },
    })
    await sendHook(server, trigger.id, {
      headers: { ...json, 'x-shopify-shop-domain': 'acme.myshopify.com' },
      body: '{"id":1}',
    })
    expect((await waitForOutcome(server, p.key, trigger.id)).credentialIds).toEqual(['shop-1'])
  })

  it('logs an unmatched request as unrouted, and routes it on replay once the credential exists', async () => {
    const p = await project()
    const trigger = await createTrigger(server, p.key, {
      integration: 'slack',
      routing: { from: 'body', path: '$.team_id' },
    })
    await sendHook(server, trigger.id, { headers: json, body: '{"team_id":"T-late"}' })
    const unrouted = await waitForOutcome(server, p.key, trigger.id)
    expect(unrouted).toMatchObject({ outcome: 'unrouted', eventIds: [] })
    expect(await p.received()).toEqual([])
    await p.credential('late', 'ada', 'slack', { providerAccountId: 'T-late' })
    const replay = await server.api('POST', `/v1/inbound-requests/${unrouted.id}/replay`, {
      key: p.key,
    })
    expect(replay.status).toBe(202)
    await waitFor(async () => (await p.received()).length === 1 || undefined)
    expect((await p.received())[0]!.credentialId).toBe('late')
  })
})

const sign = (secret: string, body: string) =>
  'sha256=' + createHmac('sha256', secret).update(body).digest('hex')

describe('user-level routing', () => {
  it("verifies with the credential's own secret and emits for that credential only", async () => {
    const p = await project()
    await p.credential('folk-ada', 'ada', 'folk', {
      tokens: { webhookSecret: 'ada-secret-000000001' },
    })
    await p.credential('folk-bob', 'bob', 'folk', {
      tokens: { webhookSecret: 'bob-secret-000000002' },
    })
    const trigger = await createTrigger(server, p.key, {
      integration: 'folk',
      level: 'user',
      verification: { preset: 'github', secrets: [{ from: 'credential', key: 'webhookSecret' }] },
    })
    expect(trigger.url).toBe(`https://hooks.example.com/hooks/${trigger.id}?id={credentialId}`)
    const body = '{"person":"x"}'
    const ok = await sendHook(server, trigger.id, {
      query: 'id=folk-ada',
      headers: { ...json, 'x-hub-signature-256': sign('ada-secret-000000001', body) },
      body,
    })
    expect(ok.status).toBe(200)
    // Bob's secret cannot speak for Ada: the id in the URL is attacker-chosen.
    const crossed = await sendHook(server, trigger.id, {
      query: 'id=folk-ada',
      headers: { ...json, 'x-hub-signature-256': sign('bob-secret-000000002', body) },
      body,
    })
    expect(crossed.status).toBe(401)
    await waitForOutcome(server, p.key, trigger.id, ['routed', 'unrouted', 'rejected'])
    await waitFor(async () => (await p.received()).length === 1 || undefined)
    expect(await p.received()).toEqual([
      { credentialId: 'folk-ada', userId: 'ada', payload: { person: 'x' } },
    ])
  })

  it('answers 404 for a missing or unknown ?id=', async () => {
    const p = await project()
    const trigger = await createTrigger(server, p.key, { integration: 'folk', level: 'user' })
    expect((await sendHook(server, trigger.id, { body: '{}' })).status).toBe(404)
    expect((await sendHook(server, trigger.id, { query: 'id=nobody', body: '{}' })).status).toBe(
      404,
    )
  })
})

describe('listen', () => {
  it('streams each request as it is judged and routed, rejected ones with the reason', async () => {
    const p = await project()
    const trigger = await createTrigger(server, p.key, {
      verification: { preset: 'github', secrets: ['listen-secret-000001'] },
    })
    const controller = new AbortController()
    const res = await fetch(`${server.url}/v1/triggers/${trigger.id}/listen`, {
      headers: { authorization: `Bearer ${p.key}` },
      signal: controller.signal,
    })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events: any[] = []
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
        if (done) return
        buffer += value
        for (let cut = buffer.indexOf('\n\n'); cut !== -1; cut = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, cut)
          buffer = buffer.slice(cut + 2)
          const name = /^event: (.+)$/m.exec(block)?.[1]
          const data = /^data: (.+)$/m.exec(block)?.[1]
          if (name && data) events.push({ name, ...JSON.parse(data) })
        }
      }
    })()
    await waitFor(() => events.some((e) => e.name === 'ready') || undefined)
    await sendHook(server, trigger.id, {
      headers: { ...json, 'x-hub-signature-256': 'sha256=bad' },
      body: '{}',
    })
    const body = '{"n":1}'
    await sendHook(server, trigger.id, {
      headers: { ...json, 'x-hub-signature-256': sign('listen-secret-000001', body) },
      body,
    })
    await waitFor(() => events.filter((e) => e.name === 'request').length >= 3 || undefined)
    controller.abort()
    await pump
    expect(events.filter((e) => e.name === 'request').map((e) => [e.outcome, e.reason])).toEqual([
      ['rejected', expect.stringMatching(/^signature mismatch/)],
      ['accepted', null],
      ['routed', null],
    ])
  })
})
