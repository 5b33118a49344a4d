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
