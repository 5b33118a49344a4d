import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { honoWebhook } from '../../src/adapters/hono.ts'
import type { StandardEvent } from '../../src/index.ts'
import { adapterSecret, describeAdapterContract } from '../helpers/adapter-contract.ts'
import { listen } from '../helpers/listen.ts'
import { referenceHeaders } from '../helpers/reference-signer.ts'

async function serve(app: Hono) {
  const { url, close } = await listen(createAdaptorServer({ fetch: app.fetch }) as Server)
  return { url: `${url}/webhooks`, close }
}

describeAdapterContract('honoWebhook', (secret, received) => {
  const app = new Hono()
  app.post('/webhooks', honoWebhook(secret), (c) => {
    received.push(c.get('webhook'))
    return c.body(null, 204)
  })
  return serve(app)
})

describe('honoWebhook', () => {
  it('gives the route the event typed by its wire format', async () => {
    const app = new Hono()
    app.post('/webhooks', honoWebhook<'standard'>(adapterSecret), (c) => {
      const event = c.get('webhook')
      expectTypeOf(event).toEqualTypeOf<StandardEvent>()
      return event.type === 'sync.completed'
        ? c.json({ numRecords: event.data.numRecords })
        : c.body(null, 204)
    })
    const server = await serve(app)
    const body = JSON.stringify({
      id: 'evt_1',
      type: 'sync.completed',
      timestamp: '2025-07-07T19:00:00.000Z',
      data: {
        syncId: 'sync_1',
        model: 'files',
        syncedAt: '2025-07-07T19:00:00.000Z',
        numRecords: 7,
      },
    })
    try {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { ...referenceHeaders(adapterSecret, body), 'content-type': 'application/json' },
        body,
      })
      expect(await response.json()).toEqual({ numRecords: 7 })
    } finally {
      await server.close()
    }
  })
})
