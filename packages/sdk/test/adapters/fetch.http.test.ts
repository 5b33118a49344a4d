import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { describe, expect, it } from 'vitest'
import { fetchHandler, verifyRequest, WebhookVerificationError } from '../../src/index.ts'
import { adapterSecret, describeAdapterContract } from '../helpers/adapter-contract.ts'
import { syncComplete } from '../helpers/fixtures.ts'
import { listen } from '../helpers/listen.ts'
import { referenceHeaders } from '../helpers/reference-signer.ts'

async function serve(handler: (request: Request) => Promise<Response>) {
  const { url, close } = await listen(createAdaptorServer({ fetch: handler }) as Server)
  return { url: `${url}/webhooks`, close }
}

describeAdapterContract('fetchHandler', (secret, received) =>
  serve(fetchHandler(secret, (event) => void received.push(event))),
)

describe('fetchHandler', () => {
  const body = JSON.stringify(syncComplete)

  it("answers with the handler's own Response", async () => {
    const server = await serve(
      fetchHandler<'managed-sync'>(adapterSecret, (event) =>
        Response.json({ seen: event.event }, { status: 202 }),
      ),
    )
    try {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: referenceHeaders(adapterSecret, body),
        body,
      })
      expect(response.status).toBe(202)
      expect(await response.json()).toEqual({ seen: 'sync_complete' })
    } finally {
      await server.close()
    }
  })

  it('answers 500 invalid_secret when its own secret is malformed', async () => {
    const server = await serve(fetchHandler('whsec_not base64!', () => {}))
    try {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: referenceHeaders(adapterSecret, body),
        body,
      })
      expect(response.status).toBe(500)
      expect((await response.json()).error.code).toBe('invalid_secret')
    } finally {
      await server.close()
    }
  })
})

describe('verifyRequest', () => {
  const body = JSON.stringify(syncComplete)
  const request = (payload: string) =>
    new Request('http://localhost/webhooks', {
      method: 'POST',
      headers: referenceHeaders(adapterSecret, body),
      body: payload,
    })

  it('returns the event of a signed Request', async () => {
    const event = await verifyRequest<'managed-sync'>(request(body), adapterSecret)
    expect(event).toEqual(syncComplete)
  })

  it('throws a WebhookVerificationError for a tampered Request', async () => {
    const error = await verifyRequest(request(body + ' '), adapterSecret).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WebhookVerificationError)
    expect((error as WebhookVerificationError).code).toBe('invalid_signature')
  })
})
