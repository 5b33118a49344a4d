import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { noPoll, publish, recordCreated } from '../delivery/fixtures.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let server: TestServer
let receiver: Receiver

beforeAll(async () => {
  server = await startTestServer({ config: noPoll })
  receiver = await startReceiver()
})
afterAll(async () => {
  await server.close()
  await receiver.close()
})

const syncEvents = [
  'sync.completed',
  'sync.errored',
  'record.created',
  'record.updated',
  'record.deleted',
  'record.errored',
]

describe('PUT /v1/settings {webhookUrl}', () => {
  it('creates the project webhook as a managed-sync destination for the sync events', async () => {
    const { apiKey: key } = await server.createProject()
    const res = await server.api('PUT', '/v1/settings', { key, body: { webhookUrl: receiver.url } })
    expect(res.status).toBe(200)
    expect(res.body.webhookUrl).toBe(receiver.url)
    const dest = await server.api('GET', `/v1/destinations/${res.body.webhookDestinationId}`, {
      key,
    })
    expect(dest.body).toMatchObject({
      url: receiver.url,
      format: 'managed-sync',
      events: syncEvents,
      managed: true,
      enabled: true,
    })
  })

  it('shows the webhook URL on GET /v1/settings', async () => {
    const { apiKey: key } = await server.createProject()
    expect((await server.api('GET', '/v1/settings', { key })).body.webhookUrl).toBeNull()
    await server.api('PUT', '/v1/settings', { key, body: { webhookUrl: receiver.url } })
    expect((await server.api('GET', '/v1/settings', { key })).body.webhookUrl).toBe(receiver.url)
  })

  it('re-targets the same destination when the URL changes', async () => {
    const { apiKey: key } = await server.createProject()
    const first = await server.api('PUT', '/v1/settings', {
      key,
      body: { webhookUrl: receiver.url },
    })
    const next = 'https://hooks.example.com/sync'
    const second = await server.api('PUT', '/v1/settings', { key, body: { webhookUrl: next } })
    expect(second.body).toMatchObject({
      webhookUrl: next,
      webhookDestinationId: first.body.webhookDestinationId,
    })
  })

  it('deletes the project webhook when set to null', async () => {
    const { apiKey: key } = await server.createProject()
    const first = await server.api('PUT', '/v1/settings', {
      key,
      body: { webhookUrl: receiver.url },
    })
    const cleared = await server.api('PUT', '/v1/settings', { key, body: { webhookUrl: null } })
    expect(cleared.body).toMatchObject({ webhookUrl: null, webhookDestinationId: null })
    const dest = await server.api('GET', `/v1/destinations/${first.body.webhookDestinationId}`, {
      key,
    })
    expect(dest.status).toBe(404)
  })

  it('answers 400 invalid_url for a URL with credentials', async () => {
    const { apiKey: key } = await server.createProject()
    const res = await server.api('PUT', '/v1/settings', {
      key,
      body: { webhookUrl: 'https://me:pw@example.com/hook' },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'invalid_url',
      details: [{ path: '/webhookUrl' }],
    })
  })

  it('answers the signing secret once, on the PUT that creates the webhook', async () => {
    const { apiKey: key } = await server.createProject()
    const created = await server.api('PUT', '/v1/settings', {
      key,
      body: { webhookUrl: receiver.url },
    })
    expect(created.body.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
    const before = receiver.requests.length
    await publish(server, key, recordCreated)
    const [request] = (await receiver.waitForRequests(before + 1)).slice(before)
    new Webhook(created.body.webhookSecret).verify(request!.body, request!.headers as never)
    const read = await server.api('GET', '/v1/settings', { key })
    expect(read.body.webhookSecret).toBeUndefined()
    const retargeted = await server.api('PUT', '/v1/settings', {
      key,
      body: { webhookUrl: 'https://hooks.example.com/moved' },
    })
    expect(retargeted.body.webhookSecret).toBeUndefined()
    const other = await server.api('PUT', '/v1/settings', { key, body: { name: 'Renamed' } })
    expect(other.body.webhookSecret).toBeUndefined()
  })

  it('rotates the secret through its destination, as the docs say', async () => {
    const { apiKey: key } = await server.createProject()
    const created = await server.api('PUT', '/v1/settings', {
      key,
      body: { webhookUrl: receiver.url },
    })
    const rotated = await server.api(
      'POST',
      `/v1/destinations/${created.body.webhookDestinationId}/rotate-secret`,
      { key },
    )
    expect(rotated.status).toBe(200)
    expect(rotated.body.secret).toMatch(/^whsec_/)
    expect(rotated.body.secret).not.toBe(created.body.webhookSecret)
  })

  it('delivers record events to the project webhook in the managed-sync format', async () => {
    const { apiKey: key } = await server.createProject()
    await server.api('PUT', '/v1/settings', { key, body: { webhookUrl: receiver.url } })
    const before = receiver.requests.length
    await publish(server, key, recordCreated)
    const requests = await receiver.waitForRequests(before + 1)
    expect(JSON.parse(requests.at(-1)!.body)).toMatchObject({
      event: 'record_created',
      data: { recordId: recordCreated.data.recordId, model: 'files' },
    })
  })
})
