import http from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A provider's webhook API on 127.0.0.1 that trusts only the app it issued a client secret to:
 * every call needs `X-Client-Secret: <clientSecret>` (rotated by assigning it). App webhooks
 * (`POST /app/webhooks`) need nothing else; user webhooks (`POST /users/webhooks`) also need the
 * user's `Authorization: Bearer <accessToken>`. Refusals answer 401 with a JSON body.
 */
export interface FakeProvider {
  url: string
  clientSecret: string
  /** Registered webhooks by id. */
  webhooks: Map<string, { target: string; kind: 'app' | 'user'; user: string | null }>
  /** Webhook ids deleted, in order. */
  deleted: string[]
  /** Every call, as the provider saw it. */
  calls: { method: string; path: string; clientSecret: string | undefined }[]
  close(): Promise<void>
}

export async function startFakeProvider(clientSecret: string): Promise<FakeProvider> {
  let n = 0
  const provider: Omit<FakeProvider, 'url' | 'close'> = {
    clientSecret,
    webhooks: new Map(),
    deleted: [],
    calls: [],
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const secret = req.headers['x-client-secret'] as string | undefined
      const path = req.url!
      provider.calls.push({ method: req.method!, path, clientSecret: secret })
      const refuse = (why: string) =>
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'invalid_client', message: why }))
      if (secret !== provider.clientSecret) return refuse('unknown client secret')
      const user = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null
      const kind = path.startsWith('/users/') ? 'user' : 'app'
      if (kind === 'user' && !user) return refuse('user webhooks need the user token')
      if (req.method === 'DELETE') {
        const id = path.split('/').pop()!
        if (!provider.webhooks.delete(id)) return res.writeHead(404).end()
        provider.deleted.push(id)
        return res.writeHead(204).end()
      }
      const { target } = JSON.parse(Buffer.concat(chunks).toString() || '{}')
      const id = `wh_${++n}`
      provider.webhooks.set(id, { target, kind, user })
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id, target, signing: { secret: `whsec-${id}` } }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(provider, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  })
}
