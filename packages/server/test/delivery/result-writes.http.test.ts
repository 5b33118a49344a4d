import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createSender, type Dispatcher } from '../../src/delivery/index.ts'
import { claimDue } from '../../src/delivery/store.ts'
import { relaxCommit, sql, withTransaction, type Queryable } from '../../src/store/index.ts'
import { createClock } from '../helpers/clock.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import {
  collectDispatch,
  createDestination,
  listDeliveries,
  recordCreated,
  standaloneDispatcher,
} from './fixtures.ts'

// Results wait up to `resultDelayMs` to be written together; a result that makes another
// delivery due is written at once. The delay here is an hour, so a wait shows as a timeout.
const clock = createClock()
let server: TestServer
let receiver: Receiver
const sender = createSender({ allowPrivateTargets: true, now: clock.now })
const running: Dispatcher[] = []

// An API-only engine: only the dispatchers below send.
beforeAll(async () => {
  server = await startTestServer({ now: clock.now, config: { role: 'api' } })
  receiver = await startReceiver()
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()))
})
afterAll(async () => {
  await server.close()
  await receiver.close()
  await sender.close()
})

async function slowWriter(): Promise<Dispatcher> {
  const dispatcher = standaloneDispatcher(
    server,
    { now: clock.now, sender },
    { resultDelayMs: 3_600_000, pollMs: 3_600_000 },
  )
  running.push(dispatcher)
  await dispatcher.start()
  return dispatcher
}

const recordEvent = (recordId: string) => ({
  ...recordCreated,
  type: 'record.updated',
  data: { ...recordCreated.data, recordId },
})

describe('stopping with deliveries waiting for a slot', () => {
  it('hands them back due now, their claimed attempt uncounted', async () => {
    const { apiKey: key } = await server.createProject()
    const hanging = await startReceiver(() => {})
    try {
      const dest = await createDestination(server, key, {
        url: hanging.url,
        events: ['*'],
        maxConcurrency: 1,
      })
      const dispatcher = standaloneDispatcher(
        server,
        { now: clock.now, sender },
        { pollMs: 3_600_000, claimDepth: 3 },
      )
      const published = await server.api('POST', '/v1/events/batch', {
        key,
        body: { events: [recordEvent('w-1'), recordEvent('w-2'), recordEvent('w-3')] },
      })
      expect(published.status).toBe(202)
      await dispatcher.start()
      // One is sent (and hangs); the other two were claimed with it and wait for its slot.
      await hanging.waitForRequests(1)
      await dispatcher.stop({ graceMs: 0 })
      const deliveries = await listDeliveries(server, key, `destinationId=${dest.id}`)
      const counts = deliveries.map((d) => d.attemptCount).sort()
      expect(counts).toEqual([0, 0, 1])
      for (const d of deliveries.filter((d) => d.attemptCount === 0))
        expect(Date.parse(d.nextAttemptAt!)).toBeLessThanOrEqual(clock.now().getTime())
    } finally {
      await hanging.close()
    }
  })
})

describe('writing delivery results', () => {
  it('holds a plain result for the delay and writes it when the dispatcher stops', async () => {
    const { apiKey: key } = await server.createProject()
    const dest = await createDestination(server, key, { url: receiver.url, events: ['*'] })
    const dispatcher = await slowWriter()
    const before = receiver.requests.length
    const res = await server.api('POST', '/v1/events', { key, body: recordEvent('r-plain') })
    expect(res.status).toBe(202)
    await receiver.waitForRequests(before + 1)
    // Sent, but its result waits (a write would take a few ms): the delivery keeps its lease.
    await new Promise((resolve) => setTimeout(resolve, 200))
    const [leased] = await listDeliveries(server, key, `destinationId=${dest.id}`)
    expect(leased!.status).toBe('pending')
    await dispatcher.stop()
    const [written] = await listDeliveries(server, key, `destinationId=${dest.id}`)
    expect(written!.status).toBe('succeeded')
  })

  it('writes a result at once when the next delivery of its key waits for it', async () => {
    const { apiKey: key } = await server.createProject()
    const dest = await createDestination(server, key, {
      url: receiver.url,
      events: ['*'],
      ordering: 'record',
    })
    const dispatcher = await slowWriter()
    const delivered = collectDispatch(
      dispatcher,
      'delivered',
      (e) => e.destinationId === dest.id,
      3,
    )
    const events = ['a', 'b', 'c'].map(() => recordEvent('r-ordered'))
    const res = await server.api('POST', '/v1/events/batch', { key, body: { events } })
    expect(res.status).toBe(202)
    expect(await delivered).toHaveLength(3)
  })

  it('claims and writes results without waiting for the log flush, and nothing after them', async () => {
    const { apiKey: key } = await server.createProject()
    await createDestination(server, key, { url: receiver.url, events: ['*'] })
    const res = await server.api('POST', '/v1/events', { key, body: recordEvent('r-sync') })
    expect(res.status).toBe(202)
    const { db } = server.engine
    const setting = async (q: Queryable) =>
      (await sql<{ s: string }>`select current_setting('synchronous_commit') as s`.execute(q))
        .rows[0]!.s
    // Looked at inside the transaction, which then rolls back: the claim is not kept.
    const seen: string[] = []
    const rollback = new Error('rollback')
    await withTransaction(db.kysely, async (tx) => {
      const claimed = await claimDue(tx, {
        workerId: 'test',
        now: clock.now(),
        limit: 10,
        leaseMarginMs: 30_000,
        after: null,
        load: [],
      })
      expect(claimed).toHaveLength(1)
      seen.push(await setting(tx))
      await sql`set local synchronous_commit = on`.execute(tx)
      await relaxCommit(tx)
      seen.push(await setting(tx))
      throw rollback
    }).catch((error: unknown) => {
      if (error !== rollback) throw error
    })
    expect(seen).toEqual(['off', 'off'])
    // Only that transaction: ingest on the same connections still waits for the flush.
    expect(await setting(db.kysely)).toBe('on')
  })
})
