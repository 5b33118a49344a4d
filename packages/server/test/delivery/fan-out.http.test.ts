import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createDestination, listDeliveries, noPoll, publish } from './fixtures.ts'

let server: TestServer
const receivers: Receiver[] = []

beforeAll(async () => {
  server = await startTestServer({ config: noPoll })
})
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})
afterAll(() => server.close())

async function receiver(): Promise<Receiver> {
  const r = await startReceiver()
  receivers.push(r)
  return r
}

describe('fan-out', () => {
  it('creates a delivery for each destination whose filter matches, in any vocabulary', async () => {
    const { apiKey: key } = await server.createProject()
    const url = (await receiver()).url
    const canonical = await createDestination(server, key, { url, events: ['record.created'] })
    const workspaceName = await createDestination(server, key, {
      url,
      format: 'workspace',
      events: ['integration_new_data_model'],
    })
    const managedName = await createDestination(server, key, {
      url,
      format: 'managed-sync',
      events: ['record_created', 'sync_complete'],
    })
    await createDestination(server, key, { url, events: ['sync.completed'] })
    const eventId = await publish(server, key)
    const deliveries = await listDeliveries(server, key, `eventId=${eventId}`)
    expect(deliveries.map((d) => d.destinationId).sort()).toEqual(
      [canonical.id, workspaceName.id, managedName.id].sort(),
    )
  })

  it('leaves out a "*" destination whose format has no name for the event', async () => {
    const { apiKey: key } = await server.createProject()
    const url = (await receiver()).url
    await createDestination(server, key, { url, format: 'monitoring', events: ['*'] })
    const everything = await createDestination(server, key, { url, events: ['*'] })
    const eventId = await publish(server, key)
    const deliveries = await listDeliveries(server, key, `eventId=${eventId}`)
    expect(deliveries.map((d) => d.destinationId)).toEqual([everything.id])
  })

  it("does not deliver one project's events to another project's destinations", async () => {
    const mine = await server.createProject()
    const theirs = await server.createProject()
    const target = await receiver()
    await createDestination(server, theirs.apiKey, { url: target.url, events: ['*'] })
    const eventId = await publish(server, mine.apiKey)
    expect(await listDeliveries(server, mine.apiKey, `eventId=${eventId}`)).toEqual([])
    expect(await listDeliveries(server, theirs.apiKey, `eventId=${eventId}`)).toEqual([])
  })

  it('creates every delivery of a batch in the ingest transaction', async () => {
    const { apiKey: key } = await server.createProject()
    const target = await receiver()
    await createDestination(server, key, { url: target.url, events: ['*'] })
    const events = Array.from({ length: 5 }, () => ({ type: 'webhook.test', data: {} }))
    const res = await server.api('POST', '/v1/events/batch', { key, body: { events } })
    expect(res.status).toBe(202)
    for (const { id } of res.body.data)
      expect(await listDeliveries(server, key, `eventId=${id}`)).toHaveLength(1)
    await target.waitForRequests(5)
  })
})

describe('disabled destinations', () => {
  it('holds the deliveries of a disabled destination instead of dropping them', async () => {
    const { apiKey: key } = await server.createProject()
    const target = await receiver()
    const dest = await createDestination(server, key, { url: target.url, events: ['*'] })
    const off = await server.api('POST', `/v1/destinations/${dest.id}/disable`, {
      key,
      body: { reason: 'maintenance' },
    })
    expect(off.body).toMatchObject({ enabled: false, disabledReason: 'maintenance' })
    const eventId = await publish(server, key)
    const [delivery] = await listDeliveries(server, key, `eventId=${eventId}`)
    expect(delivery).toMatchObject({ status: 'held', attemptCount: 0, nextAttemptAt: null })
    await server.engine.dispatcher.runOnce()
    expect(target.requests).toHaveLength(0)
  })

  it('sends the held deliveries when the destination is enabled', async () => {
    const { apiKey: key } = await server.createProject()
    const target = await receiver()
    const dest = await createDestination(server, key, { url: target.url, events: ['*'] })
    await server.api('POST', `/v1/destinations/${dest.id}/disable`, { key })
    await publish(server, key)
    await publish(server, key)
    const on = await server.api('POST', `/v1/destinations/${dest.id}/enable`, { key })
    expect(on.body).toMatchObject({ enabled: true, disabledReason: null })
    await target.waitForRequests(2)
  })
})

describe('concurrent publishing', () => {
  it('gives events published concurrently (sharing statements) each its own project deliveries', async () => {
    const projects = [await server.createProject(), await server.createProject()]
    const targets = [await receiver(), await receiver()]
    for (const [i, p] of projects.entries())
      await createDestination(server, p.apiKey, { url: targets[i]!.url, events: ['*'] })
    const published = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => ({
        project: i % 2,
        id: await publish(server, projects[i % 2]!.apiKey),
      })),
    )
    expect(new Set(published.map((p) => p.id)).size).toBe(40)
    // With polling off, only the wake-up sent after each commit gets these out.
    for (const [i, target] of targets.entries()) {
      const got = await target.waitForRequests(20)
      const sent = published.filter((p) => p.project === i).map((p) => p.id)
      expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(20)
      for (const id of sent)
        expect(await listDeliveries(server, projects[i]!.apiKey, `eventId=${id}`)).toHaveLength(1)
    }
  })
})
