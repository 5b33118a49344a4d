import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { fastifyWebhook } from '../../src/adapters/fastify.ts'
import { adapterSecret, describeAdapterContract } from '../helpers/adapter-contract.ts'
import { syncComplete } from '../helpers/fixtures.ts'
import { referenceHeaders } from '../helpers/reference-signer.ts'

async function serve(app: ReturnType<typeof Fastify>) {
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url: `${address}/webhooks`, close: () => app.close() }
}

describeAdapterContract('fastifyWebhook', async (secret, received) => {
  const app = Fastify()
  await app.register(
    fastifyWebhook({ path: '/webhooks', secret, handler: (event) => void received.push(event) }),
  )
  return serve(app)
})

describe('fastifyWebhook', () => {
  const body = JSON.stringify(syncComplete)
  const post = (url: string) =>
    fetch(url, {
      method: 'POST',
      headers: { ...referenceHeaders(adapterSecret, body), 'content-type': 'application/json' },
      body,
    })

  it("answers with the handler's return value", async () => {
    const app = Fastify()
    await app.register(
      fastifyWebhook<'managed-sync'>({
        path: '/webhooks',
        secret: adapterSecret,
        handler: (event) => ({ seen: event.event }),
      }),
    )
    const server = await serve(app)
    try {
      const response = await post(server.url)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ seen: 'sync_complete' })
    } finally {
      await server.close()
    }
  })

  it("leaves the rest of the app's JSON parsing alone", async () => {
    const app = Fastify()
    await app.register(
      fastifyWebhook({ path: '/webhooks', secret: adapterSecret, handler: () => {} }),
    )
    app.post('/echo', async (request) => request.body)
    const server = await serve(app)
    try {
      const response = await fetch(server.url.replace('/webhooks', '/echo'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      expect(await response.json()).toEqual(syncComplete)
    } finally {
      await server.close()
    }
  })
})
