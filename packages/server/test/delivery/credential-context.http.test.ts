import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createDestination } from './fixtures.ts'

let server: TestServer
let receiver: Receiver

beforeAll(async () => {
  server = await startTestServer({ config: { secretKey: 'credential-context-test-key' } })
  receiver = await startReceiver()
})
afterAll(async () => {
  await receiver.close()
  await server.close()
})

describe('rendering with what the credential knows', () => {
  it('fills user, integration and workspace state from the credential an event names', async () => {
    const { projectId, apiKey: key } = await server.createProject()
    await server.api('PUT', '/v1/users/user_42', { key, body: { metadata: { plan: 'pro' } } })
    const credential = await server.api('PUT', '/v1/credentials/cred_ctx_1', {
      key,
      body: {
        userId: 'user_42',
        integration: 'hubspot',
        status: 'PENDING',
        externalState: 'state-xyz',
      },
    })
    expect(credential.status).toBe(201)
    await createDestination(server, key, { url: receiver.url, format: 'workspace', events: ['*'] })
    const before = receiver.requests.length
    const published = await server.api('POST', '/v1/events', {
      key,
      body: {
        type: 'record.created',
        credentialId: 'cred_ctx_1',
        data: { syncId: 'sync_1', model: 'contacts', recordId: 'rec_1' },
      },
    })
    expect(published.status).toBe(202)
    const [request] = (await receiver.waitForRequests(before + 1)).slice(before)
    expect(JSON.parse(request!.body)).toEqual({
      workspace_id: projectId,
      customer_id: 'user_42',
      event: 'integration_new_data_model',
      state: 'state-xyz',
      payload: { id: 'cred_ctx_1', resource_id: 'rec_1', type: 'contacts' },
    })
  })
})

describe('GET /v1/events/:id/renderings', () => {
  it('renders the event in every format that carries it, with the credential context', async () => {
    const { apiKey: key } = await server.createProject()
    await server.api('PUT', '/v1/credentials/cred_ctx_2', {
      key,
      body: { userId: 'user_7', integration: 'googledrive', status: 'PENDING' },
    })
    const published = await server.api('POST', '/v1/events', {
      key,
      body: {
        type: 'record.created',
        credentialId: 'cred_ctx_2',
        data: { syncId: 'sync_9', model: 'files', recordId: 'rec_9' },
      },
    })
    const res = await server.api('GET', `/v1/events/${published.body.id}/renderings`, { key })
    expect(res.status).toBe(200)
    expect(res.body.data.map((r: { format: string }) => r.format)).toEqual([
      'managed-sync',
      'workspace',
      'standard',
    ])
    expect(res.body.data[0]).toEqual({
      format: 'managed-sync',
      name: 'record_created',
      body: {
        event: 'record_created',
        syncInstanceId: 'sync_9',
        sync: 'googledrive',
        credentialId: 'cred_ctx_2',
        user: { id: 'user_7' },
        data: { recordId: 'rec_9', model: 'files' },
      },
    })
  })

  it("answers 404 for another project's event", async () => {
    const a = await server.createProject()
    const b = await server.createProject()
    const published = await server.api('POST', '/v1/events', {
      key: a.apiKey,
      body: { type: 'webhook.test', data: {} },
    })
    const res = await server.api('GET', `/v1/events/${published.body.id}/renderings`, {
      key: b.apiKey,
    })
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
  })
})
