import { createHmac, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

/*
 * End to end: a fake provider that registers webhooks only after a real handshake (it POSTs an
 * X-Hook-Secret to the target and requires it echoed while its create call is in flight), then
 * sends signed events for two connected users through one app-level URL.
 */

const appSecret = 'provider-app-signing-secret'

interface FakeProvider {
  url: string
  webhooks: Map<string, { target: string; account: string }>
  deleted: string[]
  emit(account: string, event: Record<string, unknown>): Promise<number>
  close(): Promise<void>
}

async function startFakeProvider(): Promise<FakeProvider> {
  const webhooks = new Map<string, { target: string; account: string }>()
  const deleted: string[] = []
  let n = 0
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      if (req.headers.authorization !== 'Bearer user-access-token-123456')
        return res.writeHead(401).end()
      if (req.method === 'DELETE') {
        deleted.push(req.url!.split('/').pop()!)
        return res.writeHead(204).end()
      }
      const { target, account } = JSON.parse(Buffer.concat(chunks).toString())
      const secret = randomBytes(16).toString('hex')
      const handshake = await fetch(target, {
        method: 'POST',
        headers: { 'x-hook-secret': secret },
      })
      if (handshake.status !== 200 || handshake.headers.get('x-hook-secret') !== secret)
        return res.writeHead(400).end(JSON.stringify({ error: 'handshake failed' }))
      const id = `wh_${++n}`
      webhooks.set(id, { target, account })
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: { id, target } }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    webhooks,
    deleted,
    emit: async (account, event) => {
      const hook = [...webhooks.values()].find((w) => w.account === account)!
      const body = JSON.stringify({ account, ...event })
      const signature = 'sha256=' + createHmac('sha256', appSecret).update(body).digest('hex')
      const res = await fetch(hook.target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        body,
      })
      return res.status
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

async function freePort(): Promise<number> {
  const probe = http.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

let server: TestServer
let provider: FakeProvider
let destination: Receiver
beforeAll(async () => {
  const port = await freePort()
  server = await startTestServer({
    config: { port, publicUrl: `http://127.0.0.1:${port}`, secretKey: 'setup-test-key' },
  })
  provider = await startFakeProvider()
  destination = await startReceiver()
})
afterAll(async () => {
  await server.close()
  await provider.close()
  await destination.close()
})

describe('API setup', () => {
  it('registers through the handshake, routes two users through one URL, and unsubscribes', async () => {
    const { apiKey: key } = await server.createProject()
    const dest = await server.api('POST', '/v1/destinations', {
      key,
      body: { url: destination.url, events: ['trigger.received'], format: 'managed-sync' },
    })
    expect(dest.status, JSON.stringify(dest.body)).toBe(201)
    for (const [id, user, account] of [
      ['cred-a', 'user-a', 'acct-A'],
      ['cred-b', 'user-b', 'acct-B'],
    ])
      await server.api('PUT', `/v1/credentials/${id}`, {
        key,
        body: {
          userId: user,
          integration: 'fakeprovider',
          providerAccountId: account,
          status: 'VALID',
          tokens: { accessToken: 'user-access-token-123456' },
        },
      })
    const trigger = await server.api('POST', '/v1/triggers', {
      key,
      body: {
        integration: 'fakeprovider',
        name: 'record_changed',
        level: 'app',
        setup: {
          mode: 'api',
          subscribe: {
            method: 'POST',
            url: `${provider.url}/webhooks`,
            body: {
              target: '{{settings.webhookURL}}',
              account: '{{credential.providerAccountId}}',
            },
            persist: { webhookId: '$.data.id' },
          },
          unsubscribe: {
            method: 'DELETE',
            url: `${provider.url}/webhooks/{{persisted.webhookId}}`,
          },
        },
        response: 'asana',
        verification: { preset: 'github', secrets: [appSecret] },
        routing: { from: 'body', path: '$.account' },
      },
    })
    expect(trigger.status, JSON.stringify(trigger.body)).toBe(201)
    const triggerId = trigger.body.id
    for (const credentialId of ['cred-a', 'cred-b']) {
      const sub = await server.api('POST', `/v1/triggers/${triggerId}/subscriptions`, {
        key,
        body: { credentialId },
      })
      expect(sub.status, JSON.stringify(sub.body)).toBe(201)
      expect(sub.body).toMatchObject({ status: 'active', persisted: ['webhookId'] })
    }
    expect([...provider.webhooks.values()].map((w) => w.target)).toEqual([
      trigger.body.url,
      trigger.body.url,
    ])

    expect(await provider.emit('acct-A', { change: 'a1' })).toBe(200)
    expect(await provider.emit('acct-B', { change: 'b1' })).toBe(200)
    expect(await provider.emit('acct-A', { change: 'a2' })).toBe(200)
    const requests = await destination.waitForRequests(3)
    const bodies = requests.map((r) => JSON.parse(r.body))
    for (const b of bodies) {
      expect(b.trigger).toBe('record_changed')
      expect(b.credentialId).toBe(b.payload.account === 'acct-A' ? 'cred-a' : 'cred-b')
      expect(b.userId).toBe(b.payload.account === 'acct-A' ? 'user-a' : 'user-b')
    }
    expect(
      bodies
        .filter((b) => b.userId === 'user-a')
        .map((b) => b.payload.change)
        .sort(),
    ).toEqual(['a1', 'a2'])
    expect(bodies.filter((b) => b.userId === 'user-b').map((b) => b.payload.change)).toEqual(['b1'])

    const gone = await server.api('DELETE', `/v1/triggers/${triggerId}/subscriptions/cred-a`, {
      key,
    })
    expect(gone.status).toBe(204)
    expect(provider.deleted).toEqual(['wh_1'])
  })

  it('opens a handshake window only while it calls the provider: a later handshake is refused', async () => {
    const { apiKey: key } = await server.createProject()
    await server.api('PUT', '/v1/credentials/c1', {
      key,
      body: { userId: 'u', integration: 'p', tokens: { accessToken: 'user-access-token-123456' } },
    })
    const trigger = await server.api('POST', '/v1/triggers', {
      key,
      body: {
        integration: 'p',
        name: 'n',
        level: 'app',
        setup: {
          mode: 'api',
          subscribe: {
            method: 'POST',
            url: `${provider.url}/webhooks`,
            body: { target: '{{settings.webhookURL}}', account: 'acct' },
          },
        },
        response: 'asana',
        verification: { preset: 'asana' },
      },
    })
    const subscribe = () =>
      server.api('POST', `/v1/triggers/${trigger.body.id}/subscriptions`, {
        key,
        body: { credentialId: 'c1' },
      })
    expect((await subscribe()).status).toBe(201)
    // A second setup replaces the secret: its handshake arrives while the window is open.
    expect((await subscribe()).status).toBe(201)
    const read = await server.api('GET', `/v1/triggers/${trigger.body.id}`, { key })
    expect(read.body.handshakeWindows).toEqual([])
    const forged = await fetch(trigger.body.url, {
      method: 'POST',
      headers: { 'x-hook-secret': 'attacker-secret' },
    })
    expect(forged.status).toBe(409)
  })

  it('answers 502 subscription_failed with the provider status when it refuses', async () => {
    const { apiKey: key } = await server.createProject()
    await server.api('PUT', '/v1/credentials/c1', {
      key,
      body: { userId: 'u', integration: 'p', tokens: { accessToken: 'wrong-token-000000000' } },
    })
    const trigger = await server.api('POST', '/v1/triggers', {
      key,
      body: {
        integration: 'p',
        name: 'n',
        level: 'app',
        setup: {
          mode: 'api',
          subscribe: { method: 'POST', url: `${provider.url}/webhooks`, body: {} },
        },
      },
    })
    const res = await server.api('POST', `/v1/triggers/${trigger.body.id}/subscriptions`, {
      key,
      body: { credentialId: 'c1' },
    })
    expect(res.status).toBe(502)
    expect(res.body.error).toMatchObject({ code: 'subscription_failed', details: { status: 401 } })
  })
})
