import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Webhook } from 'standardwebhooks'
import { createDestination, keyWithRole, noPoll, publish } from '../delivery/fixtures.ts'
import { createClock } from '../helpers/clock.ts'
import { startReceiver, statuses, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

const clock = createClock()
let server: TestServer
let key: string
const receivers: Receiver[] = []

beforeAll(async () => {
  server = await startTestServer({ now: clock.now, config: noPoll })
  key = (await server.createProject('Acme')).apiKey
})
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})
afterAll(() => server.close())

async function receiver(...codes: number[]): Promise<Receiver> {
  const r = await startReceiver(codes.length > 0 ? statuses(...codes) : undefined)
  receivers.push(r)
  return r
}

const signaturesOf = (header: string | string[] | undefined) => String(header).split(' ')

describe('POST /v1/destinations/:id/rotate-secret', () => {
  it('signs with the new and the old secret during the grace', async () => {
    const target = await receiver()
    const dest = await createDestination(server, key, { url: target.url, events: ['*'] })
    const rotated = await server.api('POST', `/v1/destinations/${dest.id}/rotate-secret`, { key })
    expect(rotated.status).toBe(200)
    expect(rotated.body.secret).toMatch(/^whsec_/)
    expect(rotated.body.secret).not.toBe(dest.secret)
    await publish(server, key)
    const [request] = await target.waitForRequests(1)
    expect(signaturesOf(request!.headers['webhook-signature'])).toHaveLength(2)
    for (const secret of [rotated.body.secret, dest.secret])
      expect(() =>
        new Webhook(secret).verify(request!.body, request!.headers as never),
      ).not.toThrow()
  })

  it('stops signing with the old secret when the grace is over', async () => {
    const target = await receiver()
    const dest = await createDestination(server, key, { url: target.url, events: ['*'] })
    await server.api('POST', `/v1/destinations/${dest.id}/rotate-secret`, {
      key,
      body: { graceHours: 1 },
    })
    clock.advance(3600_000 + 1000)
    try {
      await publish(server, key)
      const [request] = await target.waitForRequests(1)
      expect(signaturesOf(request!.headers['webhook-signature'])).toHaveLength(1)
    } finally {
      clock.advance(-(3600_000 + 1000))
    }
  })

  it('signs with the new secret alone after a rotation without grace', async () => {
    const target = await receiver()
    const dest = await createDestination(server, key, { url: target.url, events: ['*'] })
    const rotated = await server.api('POST', `/v1/destinations/${dest.id}/rotate-secret`, {
      key,
      body: { graceHours: 0 },
    })
    expect(rotated.body.previousSecretExpiresAt).toBeNull()
    await publish(server, key)
    const [request] = await target.waitForRequests(1)
    expect(() =>
      new Webhook(dest.secret).verify(request!.body, request!.headers as never),
    ).toThrow()
    new Webhook(rotated.body.secret).verify(request!.body, request!.headers as never)
  })
})

describe('test sends', () => {
  it('sends webhook.test to a saved destination now and returns the attempt', async () => {
    const target = await receiver()
    const dest = await createDestination(server, key, {
      url: target.url,
      events: ['record.created'],
      format: 'workspace',
    })
    const res = await server.api('POST', `/v1/destinations/${dest.id}/test`, { key })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ outcome: 'delivered', status: 200, errorClass: null })
    const [request] = await target.waitForRequests(1)
    expect(request!.headers['webhook-id']).toBe(res.body.webhookId)
    const body = new Webhook(dest.secret).verify(request!.body, request!.headers as never)
    expect(body).toMatchObject({ event: 'webhook_test', payload: { test: true } })
  })

  it('sends webhook.test to an unsaved configuration', async () => {
    const target = await receiver(500)
    const res = await server.api('POST', '/v1/destinations/test', {
      key,
      body: { url: target.url, format: 'monitoring', headers: { 'X-Env': 'staging' } },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      outcome: 'failed',
      status: 500,
      errorClass: 'http_status',
      errorMessage: 'HTTP 500',
      responseBody: '500',
    })
    const [request] = await target.waitForRequests(1)
    expect(JSON.parse(request!.body)).toMatchObject({
      type: 'webhook_test',
      project: { name: 'Acme' },
    })
    expect(request!.headers['x-env']).toBe('staging')
  })

  it('sends a managed-sync configuration the bare webhook_verification ping', async () => {
    const target = await receiver()
    const res = await server.api('POST', '/v1/destinations/test', {
      key,
      body: { url: target.url, format: 'managed-sync' },
    })
    expect(res.body).toMatchObject({ outcome: 'delivered', status: 200 })
    const [request] = await target.waitForRequests(1)
    expect(request!.body).toBe('{"event":"webhook_verification"}')
  })

  it('signs an unsaved test with the secret given', async () => {
    const target = await receiver()
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
    await server.api('POST', '/v1/destinations/test', { key, body: { url: target.url, secret } })
    const [request] = await target.waitForRequests(1)
    new Webhook(secret).verify(request!.body, request!.headers as never)
  })

  it('validates an unsaved configuration like a saved one', async () => {
    const res = await server.api('POST', '/v1/destinations/test', {
      key,
      body: { url: 'https://user:pw@example.com/' },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_url')
  })

  it('needs the admin role', async () => {
    const member = await keyWithRole(server, key, 'member')
    const res = await server.api('POST', '/v1/destinations/test', {
      key: member,
      body: { url: 'https://example.com/' },
    })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('forbidden')
  })
})
