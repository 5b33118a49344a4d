import { describe, expect, it } from 'vitest'
import { statuses, type ReceivedRequest, type Receiver } from '../helpers/receiver.ts'
import {
  collectDispatch,
  createDestination,
  dispatchHarness,
  listDeliveries,
  publish,
  recordCreated,
} from './fixtures.ts'

const { clock, server, dispatcher, receiver } = dispatchHarness()

const credentialA = '0aea7d3a-b5f7-4488-890e-d51a5cf4f8f1'
const credentialB = '57a96b31-c69e-421a-bb32-7a25f9c6a893'
const windowMs = 60_000

/** credential.failed as the credential outbox raises it (seed: integration_cannot_refresh_oauth_token). */
function credentialFailed(credentialId: string, error = 'invalid_grant') {
  return {
    type: 'credential.failed',
    userId: recordCreated.userId,
    credentialId,
    integration: 'googledrive',
    data: { error },
  }
}

const bodies = (r: Receiver) => r.requests.map((req: ReceivedRequest) => JSON.parse(req.body))

/** Claims what is due now (the test servers never poll) and waits for the sends' results. */
/**
 * Claims what is due now (test servers never poll) and waits until `count` deliveries of the
 * destination are delivered; the dispatcher claims a key's next one itself once a result is in.
 */
async function deliverDue(destinationId: string, count: number) {
  const delivered = collectDispatch(
    dispatcher(),
    'delivered',
    (e) => e.destinationId === destinationId,
    count,
  )
  await dispatcher().runOnce()
  return delivered
}

/** Nothing is due: a claim now takes nothing, and nothing was sent. */
async function expectNothingDue(rec: Receiver) {
  expect(await dispatcher().runOnce()).toBe(0)
  expect(rec.requests).toHaveLength(0)
}

async function failureDestination(extra: object = {}) {
  const { apiKey: key } = await server.createProject()
  const rec = await receiver()
  const dest = await createDestination(server, key, {
    url: rec.url,
    events: ['credential.failed', 'credential.fixed'],
    coalesce: { credentialFailed: { windowMs } },
    ...extra,
  })
  return { key, rec, dest }
}

describe('coalescing credential.failed', () => {
  it('sends the failures of one credential within the window as one delivery with a count', async () => {
    const { key, rec, dest } = await failureDestination()
    const ids = [await publish(server, key, credentialFailed(credentialA, 'first'))]
    for (const error of ['second', 'third']) {
      clock.advance(10_000)
      ids.push(await publish(server, key, credentialFailed(credentialA, error)))
    }
    await expectNothingDue(rec)
    clock.advance(windowMs - 20_000)
    await deliverDue(dest.id, 1)
    expect(bodies(rec)).toEqual([
      expect.objectContaining({
        id: ids[0],
        type: 'credential.failed',
        data: { error: 'first' },
        coalesced: expect.objectContaining({ count: 3, lastEventId: ids[2] }),
      }),
    ])
  })

  it('marks the folded deliveries coalesced into the one that was sent', async () => {
    const { key, dest } = await failureDestination()
    await publish(server, key, credentialFailed(credentialA))
    await publish(server, key, credentialFailed(credentialA))
    clock.advance(windowMs)
    const [carrier] = await deliverDue(dest.id, 1)
    const rows = await listDeliveries(server, key, `destinationId=${dest.id}`)
    expect(rows.map((d) => [d.status, d.coalescedInto])).toEqual(
      expect.arrayContaining([
        ['succeeded', null],
        ['coalesced', carrier!.deliveryId],
      ]),
    )
    const coalesced = await listDeliveries(server, key, `destinationId=${dest.id}&status=coalesced`)
    expect(coalesced).toHaveLength(1)
  })

  it('sends the same count again when the delivery is retried', async () => {
    const { key, rec, dest } = await failureDestination()
    rec.answer(statuses(503, 200))
    await publish(server, key, credentialFailed(credentialA))
    await publish(server, key, credentialFailed(credentialA))
    clock.advance(windowMs)
    const failed = collectDispatch(dispatcher(), 'attempt', (e) => e.destinationId === dest.id, 1)
    await dispatcher().runOnce()
    await failed
    // A failure after the window waits behind the retry and goes out on its own.
    await publish(server, key, credentialFailed(credentialA, 'after the window'))
    clock.advance(windowMs)
    await deliverDue(dest.id, 2)
    expect(bodies(rec).map((b) => b.coalesced.count)).toEqual([2, 2, 1])
    expect(rec.requests[0]!.headers['webhook-id']).toBe(rec.requests[1]!.headers['webhook-id'])
  })

  it('opens a new window for a failure after the last one ended, even before it is sent', async () => {
    const { key, rec, dest } = await failureDestination()
    await publish(server, key, credentialFailed(credentialA, 'first'))
    clock.advance(windowMs + 10_000)
    await publish(server, key, credentialFailed(credentialA, 'late'))
    await deliverDue(dest.id, 1)
    clock.advance(windowMs)
    await deliverDue(dest.id, 1)
    expect(bodies(rec).map((b) => [b.data.error, b.coalesced.count])).toEqual([
      ['first', 1],
      ['late', 1],
    ])
  })

  it('keeps each credential apart', async () => {
    const { key, rec, dest } = await failureDestination()
    await publish(server, key, credentialFailed(credentialA))
    await publish(server, key, credentialFailed(credentialB))
    await publish(server, key, credentialFailed(credentialA))
    clock.advance(windowMs)
    await deliverDue(dest.id, 2)
    const counts = Object.fromEntries(bodies(rec).map((b) => [b.id, b.coalesced.count] as const))
    expect(Object.values(counts).sort()).toEqual([1, 2])
  })

  it('sends other events, and destinations without the rule, at once', async () => {
    const { key, rec, dest } = await failureDestination()
    const plainReceiver = await receiver()
    const plain = await createDestination(server, key, {
      url: plainReceiver.url,
      events: ['credential.failed'],
    })
    const delivered = collectDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === plain.id || e.destinationId === dest.id,
      3,
    )
    await publish(server, key, credentialFailed(credentialA))
    await publish(server, key, credentialFailed(credentialA))
    await publish(server, key, {
      ...credentialFailed(credentialA),
      type: 'credential.fixed',
      data: {},
    })
    await delivered
    expect(bodies(plainReceiver).map((b) => b.coalesced)).toEqual([undefined, undefined])
    expect(bodies(rec).map((b) => b.type)).toEqual(['credential.fixed'])
  })

  it('with ordering "credential", never folds a failure that came after a credential.fixed', async () => {
    const { key, rec, dest } = await failureDestination({ ordering: 'credential' })
    await publish(server, key, credentialFailed(credentialA, 'before'))
    await publish(server, key, {
      ...credentialFailed(credentialA),
      type: 'credential.fixed',
      data: {},
    })
    await publish(server, key, credentialFailed(credentialA, 'after'))
    await expectNothingDue(rec)
    clock.advance(windowMs)
    await deliverDue(dest.id, 3)
    expect(bodies(rec).map((b) => [b.type, b.data.error, b.coalesced?.count])).toEqual([
      ['credential.failed', 'before', 1],
      ['credential.fixed', undefined, undefined],
      ['credential.failed', 'after', 1],
    ])
    expect(rec.requests.map((r) => r.headers['webhook-sequence'])).toEqual(['1', '2', '3'])
  })
})

describe('record batches', () => {
  const syncA = recordCreated.data.syncId
  const syncB = '9d4c0f5e-0000-5000-8000-00000000000b'
  const recordEvent = (n: number, syncId = syncA) => ({
    ...recordCreated,
    data: {
      ...recordCreated.data,
      syncId,
      recordId: `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`,
    },
  })

  async function batchDestination(records: object) {
    const { apiKey: key } = await server.createProject()
    const rec = await receiver()
    const dest = await createDestination(server, key, {
      url: rec.url,
      events: ['record.created', 'record.updated', 'sync.completed'],
      coalesce: { records },
    })
    return { key, rec, dest }
  }

  async function publishBatch(key: string, events: object[]) {
    const res = await server.api('POST', '/v1/events/batch', { key, body: { events } })
    expect(res.status).toBe(202)
  }

  const recordIds = (body: any) => body.records.map((r: any) => r.data.recordId.slice(-2))

  it('sends the record events of one sync as one batch when maxWaitMs has passed', async () => {
    const { key, rec, dest } = await batchDestination({ maxBatchSize: 10, maxWaitMs: 2000 })
    await publishBatch(key, [recordEvent(1), recordEvent(2)])
    clock.advance(1000)
    await publish(server, key, recordEvent(3))
    await expectNothingDue(rec)
    clock.advance(1000)
    await deliverDue(dest.id, 1)
    expect(rec.requests).toHaveLength(1)
    const [batch] = bodies(rec)
    expect(batch).toMatchObject({ syncId: syncA, coalesced: { count: 3 } })
    expect(recordIds(batch)).toEqual(['01', '02', '03'])
    expect(batch.records[0]).toMatchObject({ type: 'record.created', data: recordEvent(1).data })
  })

  it('splits a burst into batches of at most maxBatchSize, in order', async () => {
    const { key, rec, dest } = await batchDestination({ maxBatchSize: 3, maxWaitMs: 1000 })
    await publishBatch(
      key,
      [1, 2, 3, 4, 5, 6, 7].map((n) => recordEvent(n)),
    )
    clock.advance(1000)
    // One batch of a sync at a time: each result lets the dispatcher claim the next one.
    await deliverDue(dest.id, 3)
    expect(await dispatcher().runOnce()).toBe(0)
    expect(bodies(rec).map(recordIds)).toEqual([['01', '02', '03'], ['04', '05', '06'], ['07']])
    expect(bodies(rec).map((b) => b.coalesced.count)).toEqual([3, 3, 1])
  })

  it('resends a failed batch with the same records; later ones form the next batch', async () => {
    const { key, rec, dest } = await batchDestination({ maxBatchSize: 10, maxWaitMs: 1000 })
    rec.answer(statuses(503, 200))
    await publishBatch(key, [recordEvent(1), recordEvent(2)])
    clock.advance(1000)
    const failed = collectDispatch(dispatcher(), 'attempt', (e) => e.destinationId === dest.id, 1)
    await dispatcher().runOnce()
    await failed
    await publish(server, key, recordEvent(3))
    clock.advance(5_000)
    await deliverDue(dest.id, 2)
    expect(bodies(rec).map(recordIds)).toEqual([['01', '02'], ['01', '02'], ['03']])
  })

  it('keeps each sync in its own batches, and sends other events whole', async () => {
    const { key, rec, dest } = await batchDestination({ maxBatchSize: 10, maxWaitMs: 1000 })
    await publishBatch(key, [
      recordEvent(1),
      recordEvent(2, syncB),
      recordEvent(3),
      {
        ...recordCreated,
        type: 'sync.completed',
        data: { syncId: syncA, model: 'files', syncedAt: new Date().toISOString(), numRecords: 3 },
      },
    ])
    await deliverDue(dest.id, 1)
    expect(bodies(rec).map((b) => b.type)).toEqual(['sync.completed'])
    clock.advance(1000)
    await deliverDue(dest.id, 2)
    const batches = bodies(rec).slice(1)
    expect(batches.map((b) => [b.syncId, recordIds(b)])).toEqual(
      expect.arrayContaining([
        [syncA, ['01', '03']],
        [syncB, ['02']],
      ]),
    )
  })

  it('sends a batch above maxPayloadBytes as a claim check that keeps syncId and coalesced', async () => {
    const { apiKey: key } = await server.createProject()
    const rec = await receiver()
    const dest = await createDestination(server, key, {
      url: rec.url,
      events: ['record.created'],
      coalesce: { records: { maxBatchSize: 50, maxWaitMs: 1000 } },
      maxPayloadBytes: 1024,
    })
    await publishBatch(
      key,
      Array.from({ length: 20 }, (_, n) => recordEvent(n)),
    )
    clock.advance(1000)
    await deliverDue(dest.id, 1)
    const [thin] = bodies(rec)
    expect(Object.keys(thin)).toEqual(['syncId', 'coalesced', 'claimCheck'])
    expect(thin.coalesced.count).toBe(20)
    const full = await (await fetch(server.url + new URL(thin.claimCheck.url).pathname)).json()
    expect(full.records).toHaveLength(20)
  })

  it('is refused with a template, and with ordering', async () => {
    const { apiKey: key } = await server.createProject()
    for (const extra of [{ template: '{"e": {{$.event}}}' }, { ordering: 'record' }]) {
      const res = await server.api('POST', '/v1/destinations', {
        key,
        body: {
          url: 'https://example.com/hook',
          events: ['record.created'],
          coalesce: { records: {} },
          ...extra,
        },
      })
      expect(res.status).toBe(400)
      expect(res.body.error.details).toEqual([
        { path: '/coalesce/records', message: expect.any(String) },
      ])
    }
  })

  it('reads back with the defaults filled in', async () => {
    const { apiKey: key } = await server.createProject()
    const dest = await createDestination(server, key, {
      url: 'https://example.com/hook',
      events: ['record.created', 'credential.failed'],
      coalesce: { records: {}, credentialFailed: {} },
    })
    expect(dest.coalesce).toEqual({
      credentialFailed: { windowMs: 300_000 },
      records: { maxBatchSize: 100, maxWaitMs: 5000 },
    })
    const patched = await server.api('PATCH', `/v1/destinations/${dest.id}`, {
      key,
      body: { coalesce: null },
    })
    expect(patched.body.coalesce).toBeNull()
  })
})
