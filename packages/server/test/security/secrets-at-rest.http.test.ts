import { createHmac } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sealedTables } from '../../src/cli/rotate-key.ts'
import { createSecretBox, rotateSecretKey } from '../../src/secrets/index.ts'
import { startReceiver, type ReceivedRequest, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createTestDb } from '../helpers/test-db.ts'

const oldKey = 'secrets-at-rest-old-key'
const newKey = 'secrets-at-rest-new-key'
const headerValue = 'Bearer header-plaintext-0001'
const teamValue = 'team-plaintext-0002'
const apiKey = 'dd-api-key-plaintext-0003'

let db: Awaited<ReturnType<typeof createTestDb>>
let receiver: Receiver
let server: TestServer
let key: string

beforeAll(async () => {
  db = await createTestDb()
  receiver = await startReceiver()
  server = await startTestServer({ db, config: { secretKey: oldKey } })
  key = (await server.createProject()).apiKey
})
afterAll(async () => {
  await server.close()
  await receiver.close()
  await db.close()
})

/** Standard Webhooks, computed here rather than by the code under test. */
function verifies(request: ReceivedRequest, secret: string): boolean {
  const id = request.headers['webhook-id'] as string
  const timestamp = request.headers['webhook-timestamp'] as string
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  const expected = createHmac('sha256', key)
    .update(`${id}.${timestamp}.${request.body}`)
    .digest('base64')
  return (request.headers['webhook-signature'] as string).split(' ').includes(`v1,${expected}`)
}

async function createWebhook(): Promise<{ id: string; secret: string }> {
  const res = await server.api('POST', '/v1/destinations', {
    key,
    body: {
      url: receiver.url,
      events: ['webhook.test'],
      headers: { Authorization: headerValue, 'X-Team': teamValue },
    },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return { id: res.body.id, secret: res.body.secret }
}

async function storedRow(id: string): Promise<string> {
  const { rows } = await sql`select * from destinations where id = ${id}`.execute(db.kysely)
  return JSON.stringify(rows[0])
}

/** Publishes a webhook.test and returns the request the receiver got for it. */
async function deliverOne(): Promise<ReceivedRequest> {
  const before = receiver.requests.length
  const res = await server.api('POST', '/v1/events', {
    key,
    body: { type: 'webhook.test', data: {} },
  })
  expect(res.status).toBe(202)
  const requests = await receiver.waitForRequests(before + 1)
  return requests.at(-1)!
}

describe('destination secrets at rest', () => {
  it('keeps the signing secret and header values out of the table, yet signs and sends them', async () => {
    const { id, secret } = await createWebhook()
    const row = await storedRow(id)
    for (const plain of [secret, headerValue, teamValue]) expect(row).not.toContain(plain)
    const request = await deliverOne()
    expect(verifies(request, secret)).toBe(true)
    expect(request.headers.authorization).toBe(headerValue)
    expect(request.headers['x-team']).toBe(teamValue)
    await server.api('DELETE', `/v1/destinations/${id}`, { key })
  })

  it('answers reads as before: the secret left out, credential headers masked', async () => {
    const { id } = await createWebhook()
    const read = await server.api('GET', `/v1/destinations/${id}`, { key })
    expect(read.body.headers).toEqual({ Authorization: '[redacted]', 'X-Team': teamValue })
    expect(read.body).not.toHaveProperty('secret')
    await server.api('DELETE', `/v1/destinations/${id}`, { key })
  })

  it('signs with the current and the previous secret during a rotation, both sealed', async () => {
    const { id, secret } = await createWebhook()
    const rotated = await server.api('POST', `/v1/destinations/${id}/rotate-secret`, { key })
    const row = await storedRow(id)
    expect(row).not.toContain(secret)
    expect(row).not.toContain(rotated.body.secret)
    const request = await deliverOne()
    expect(verifies(request, secret)).toBe(true)
    expect(verifies(request, rotated.body.secret)).toBe(true)
    await server.api('DELETE', `/v1/destinations/${id}`, { key })
  })

  it("keeps a preset's secret option and a Slack webhook URL out of the table", async () => {
    const datadog = await server.api('POST', '/v1/destinations', {
      key,
      body: { events: ['webhook.test'], template: { preset: 'datadog', apiKey } },
    })
    expect(datadog.status, JSON.stringify(datadog.body)).toBe(201)
    expect(await storedRow(datadog.body.id)).not.toContain(apiKey)
    const slackUrl = `${receiver.url}/services/T0001/B0001/slack-plaintext-0004`
    const slack = await server.api('POST', '/v1/destinations', {
      key,
      body: { events: ['webhook.test'], template: { preset: 'slack', url: slackUrl } },
    })
    expect(slack.status, JSON.stringify(slack.body)).toBe(201)
    expect(await storedRow(slack.body.id)).not.toContain('slack-plaintext')
    expect(slack.body.url).toBe(`${new URL(receiver.url).origin}/[redacted]`)
    const before = receiver.requests.length
    await server.api('POST', `/v1/destinations/${datadog.body.id}/disable`, { key })
    await server.api('POST', '/v1/events', { key, body: { type: 'webhook.test', data: {} } })
    const requests = await receiver.waitForRequests(before + 1)
    expect(requests.at(-1)!.path).toBe('/hook/services/T0001/B0001/slack-plaintext-0004')
    for (const d of [datadog.body.id, slack.body.id])
      await server.api('DELETE', `/v1/destinations/${d}`, { key })
  })

  it('sends a row written before sealing as it stands, and the rotation seals it', async () => {
    const { id } = await createWebhook()
    const legacySecret = 'whsec_' + Buffer.alloc(32, 7).toString('base64')
    await sql`update destinations set secret = ${legacySecret},
              headers = ${JSON.stringify({ Authorization: headerValue })}::jsonb
              where id = ${id}`.execute(db.kysely)
    const request = await deliverOne()
    expect(verifies(request, legacySecret)).toBe(true)
    expect(request.headers.authorization).toBe(headerValue)
    const box = createSecretBox({ secretKey: oldKey, dataDir: '', embedded: false })
    const summary = await rotateSecretKey(db, box, sealedTables)
    expect(summary.find((t) => t.table === 'destination secrets')!.sealed).toBe(2)
    expect(await storedRow(id)).not.toContain(headerValue)
    expect(verifies(await deliverOne(), legacySecret)).toBe(true)
    await server.api('DELETE', `/v1/destinations/${id}`, { key })
  })
})

describe('switchyard secrets rotate-key', () => {
  it('seals everything with the new key, so the server runs with the new key alone', async () => {
    const { id, secret } = await createWebhook()
    // A broker destination's connection URL is sealed too (its password must not reach the table).
    const broker = await server.api('POST', '/v1/destinations', {
      key,
      body: {
        type: 'redis',
        events: ['record.created'],
        broker: { url: 'redis://:broker-password-0007@127.0.0.1:6379/0', stream: 'events' },
      },
    })
    expect(broker.status, JSON.stringify(broker.body)).toBe(201)
    expect(await storedRow(broker.body.id)).not.toContain('broker-password-0007')
    const tokens = { accessToken: 'access-plaintext-0005' }
    await server.api('PUT', '/v1/credentials/cred_rotate', {
      key,
      body: { userId: 'user_1', integration: 'slack', tokens },
    })
    const integration = await server.api('PUT', '/v1/integrations/fakeprovider', {
      key,
      body: { name: 'Fake', tokens: { clientSecret: 'client-secret-plaintext-0006' } },
    })
    expect(integration.status, JSON.stringify(integration.body)).toBe(201)
    await server.close()

    const box = createSecretBox({
      secretKey: newKey,
      previousSecretKeys: [oldKey],
      dataDir: '',
      embedded: false,
    })
    const summary = await rotateSecretKey(db, box, sealedTables, { batchSize: 2 })
    const byTable = Object.fromEntries(summary.map((t) => [t.table, t]))
    expect(byTable['credential tokens']!.resealed).toBe(1)
    expect(byTable['integration tokens']!.resealed).toBe(1)
    expect(byTable['destination secrets']!.resealed).toBeGreaterThanOrEqual(5)
    const again = await rotateSecretKey(db, box, sealedTables)
    expect(again.every((t) => t.resealed === 0 && t.sealed === 0)).toBe(true)

    server = await startTestServer({ db, config: { secretKey: newKey } })
    const request = await deliverOne()
    expect(verifies(request, secret)).toBe(true)
    expect(request.headers.authorization).toBe(headerValue)
    const credential = await server.api('GET', '/v1/credentials/cred_rotate', { key })
    expect(credential.body.tokens).toEqual({ accessToken: '…0005' })
    const read = await server.api('GET', '/v1/integrations/fakeprovider', { key })
    expect(read.status, JSON.stringify(read.body)).toBe(200)
    // Read back with the new key alone: the resealed broker URL opens, its password redacted.
    const brokerRead = await server.api('GET', `/v1/destinations/${broker.body.id}`, { key })
    expect(brokerRead.body.broker).toEqual({
      url: 'redis://:[redacted]@127.0.0.1:6379/0',
      stream: 'events',
    })
    await server.api('DELETE', `/v1/destinations/${id}`, { key })
    await server.api('DELETE', `/v1/destinations/${broker.body.id}`, { key })
  })

  it('refuses, naming the value, when no configured key opens it', async () => {
    const wrong = createSecretBox({ secretKey: 'not-the-key', dataDir: '', embedded: false })
    await expect(rotateSecretKey(db, wrong, sealedTables)).rejects.toMatchObject({
      code: 'secret_key_unknown',
      message: expect.stringMatching(
        /credential tokens \(credential-tokens:.*SWITCHYARD_PREVIOUS_SECRET_KEYS/,
      ),
    })
  })

  it('answers secret_key_unknown when the server runs with a key that did not seal them', async () => {
    const { id } = await createWebhook()
    await server.close()
    server = await startTestServer({ db, config: { secretKey: 'not-the-key' } })
    const res = await server.api('POST', `/v1/destinations/${id}/test`, { key })
    expect(res.status).toBe(500)
    expect(res.body.error.code).toBe('secret_key_unknown')
  })
})
