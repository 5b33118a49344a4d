import http from 'node:http'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { expressWebhook } from '../../src/adapters/express.ts'
import { adapterSecret, describeAdapterContract } from '../helpers/adapter-contract.ts'
import { syncComplete } from '../helpers/fixtures.ts'
import { listen } from '../helpers/listen.ts'
import { referenceHeaders } from '../helpers/reference-signer.ts'

async function serve(app: express.Express) {
  const { url, close } = await listen(http.createServer(app))
  return { url: `${url}/webhooks`, close }
}

describeAdapterContract('expressWebhook', (secret, received) => {
  const app = express()
  app.post(
    '/webhooks',
    express.raw({ type: 'application/json' }),
    expressWebhook(secret, (event) => void received.push(event)),
  )
  return serve(app)
})

describe('expressWebhook', () => {
  const body = JSON.stringify(syncComplete)
  const post = (url: string) =>
    fetch(url, {
      method: 'POST',
      headers: { ...referenceHeaders(adapterSecret, body), 'content-type': 'application/json' },
      body,
    })

  it('lets the handler answer itself', async () => {
    const app = express()
    app.post(
      '/webhooks',
      express.raw({ type: 'application/json' }),
      expressWebhook<'managed-sync', express.Request, express.Response>(
        adapterSecret,
        (event, _req, res) => {
          res.status(200).json({ model: event.event === 'sync_complete' ? event.data.model : null })
        },
      ),
    )
    const server = await serve(app)
    try {
      const response = await post(server.url)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ model: 'files' })
    } finally {
      await server.close()
    }
  })

  it('passes an error naming express.raw to next when the body was parsed as JSON', async () => {
    const errors: unknown[] = []
    const app = express()
    app.post(
      '/webhooks',
      express.json(),
      expressWebhook(adapterSecret, () => {}),
    )
    app.use(
      (error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        errors.push(error)
        res.status(500).end()
      },
    )
    const server = await serve(app)
    try {
      expect((await post(server.url)).status).toBe(500)
      expect(String(errors[0])).toContain('express.raw({ type: "application/json" })')
    } finally {
      await server.close()
    }
  })
})
