import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitForDispatch } from '../../src/delivery/index.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createDestination, noPoll, publish } from './fixtures.ts'

let server: TestServer
let receiver: Receiver
let key: string

beforeAll(async () => {
  server = await startTestServer({ config: { allowPrivateTargets: false, ...noPoll } })
  receiver = await startReceiver()
  key = (await server.createProject()).apiKey
})
afterAll(async () => {
  await server.close()
  await receiver.close()
})

const refusal =
  /refused to connect to .*private, loopback and link-local addresses .*SWITCHYARD_ALLOW_PRIVATE_TARGETS/

describe('private targets without SWITCHYARD_ALLOW_PRIVATE_TARGETS', () => {
  it('refuses a loopback address at connect time as a connect failure', async () => {
    const dest = await createDestination(server, key, { url: receiver.url, events: ['*'] })
    const attempt = waitForDispatch(
      server.engine.dispatcher,
      'attempt',
      (e) => e.destinationId === dest.id,
    )
    await publish(server, key)
    expect((await attempt).outcome).toMatchObject({
      kind: 'failed',
      errorClass: 'connect',
      message: expect.stringMatching(refusal),
    })
    expect(receiver.requests).toHaveLength(0)
  })

  it('refuses a name that resolves to a loopback address, after DNS', async () => {
    const url = receiver.url.replace('127.0.0.1', 'localhost')
    const dest = await createDestination(server, key, { url, events: ['*'] })
    const attempt = waitForDispatch(
      server.engine.dispatcher,
      'attempt',
      (e) => e.destinationId === dest.id,
    )
    await publish(server, key)
    expect((await attempt).outcome).toMatchObject({
      errorClass: 'connect',
      message: expect.stringContaining('refused to connect to localhost'),
    })
    expect(receiver.requests).toHaveLength(0)
  })

  it('refuses the cloud metadata address in a test send', async () => {
    const res = await server.api('POST', '/v1/destinations/test', {
      key,
      body: { url: 'http://169.254.169.254/latest/meta-data/', timeoutMs: 2000 },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      outcome: 'failed',
      errorClass: 'connect',
      errorMessage: expect.stringMatching(refusal),
    })
  })
})
