import { verifyWebhook, WebhookVerificationError } from '@switchyard/sdk'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReceiver, type ReceivedRequest, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createDestination, publish } from './fixtures.ts'

// The proof issue 8 asks for: what the server signs verifies with the SDK and with the reference
// standardwebhooks package, and a tampered body or a stale timestamp does not.

let server: TestServer
let receiver: Receiver
let secret: string
let delivered: ReceivedRequest

beforeAll(async () => {
  server = await startTestServer()
  receiver = await startReceiver()
  const { apiKey: key } = await server.createProject()
  secret = (
    await createDestination(server, key, {
      url: receiver.url,
      format: 'managed-sync',
      events: ['*'],
    })
  ).secret
  await publish(server, key)
  delivered = (await receiver.waitForRequests(1))[0]!
})
afterAll(async () => {
  await receiver.close()
  await server.close()
})

const headersOf = (request: ReceivedRequest) => request.headers as Record<string, string>

describe('a delivery signed by the server', () => {
  it('verifies with the SDK and returns the typed managed-sync event', async () => {
    const event = await verifyWebhook<'managed-sync'>(delivered.body, headersOf(delivered), secret)
    expect(event.event).toBe('record_created')
  })

  it('verifies with the reference standardwebhooks package', () => {
    expect(new Webhook(secret).verify(delivered.body, headersOf(delivered))).toEqual(
      JSON.parse(delivered.body),
    )
  })

  it('is rejected by the SDK when the body was changed', async () => {
    const tampered = delivered.body.replace('record_created', 'record_deleted')
    await expect(verifyWebhook(tampered, headersOf(delivered), secret)).rejects.toMatchObject({
      code: 'invalid_signature',
    })
  })

  it('is rejected by the SDK when its timestamp is older than the tolerance', async () => {
    const sentAt = Number(headersOf(delivered)['webhook-timestamp']) * 1000
    const later = () => new Date(sentAt + 10 * 60 * 1000)
    const error = await verifyWebhook(delivered.body, headersOf(delivered), secret, {
      now: later,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WebhookVerificationError)
    expect((error as WebhookVerificationError).code).toBe('timestamp_too_old')
  })
})
