import { describe, expect, it } from 'vitest'
import { type ReceivedRequest } from '../helpers/receiver.ts'
import { waitFor } from '../helpers/wait.ts'
import {
  collectDispatch,
  createDestination,
  dispatchHarness,
  publish,
  recordCreated,
} from './fixtures.ts'

const { clock, server, dispatcher, receiver } = dispatchHarness()

const recordId = (n: number) => `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`

/** A record event about record `n`, with `step` in its data to tell the events of one record apart. */
function recordEvent(
  n: number,
  type = 'record.updated',
  credentialId = recordCreated.credentialId,
) {
  return {
    ...recordCreated,
    type,
    credentialId,
    data: { ...recordCreated.data, recordId: recordId(n) },
  }
}

const recordOf = (r: ReceivedRequest) => JSON.parse(r.body).data.recordId as string
const sequenceOf = (r: ReceivedRequest) => r.headers['webhook-sequence']

async function orderedDestination(ordering: 'record' | 'credential', extra: object = {}) {
  const { apiKey: key } = await server.createProject()
  const rec = await receiver()
  const dest = await createDestination(server, key, {
    url: rec.url,
    events: ['record.created', 'record.updated'],
    ordering,
    ...extra,
  })
  return { key, rec, dest }
}

async function publishBatch(key: string, events: object[]) {
  const res = await server.api('POST', '/v1/events/batch', { key, body: { events } })
  expect(res.status).toBe(202)
}

describe('webhook-sequence', () => {
  it('numbers deliveries per record, from 1 and without gaps', async () => {
    const { key, rec, dest } = await orderedDestination('record')
    const delivered = collectDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === dest.id,
      5,
    )
    await publishBatch(key, [recordEvent(1), recordEvent(2), recordEvent(1)])
    await publish(server, key, recordEvent(1))
    await publish(server, key, recordEvent(2))
    await delivered
    const seen = (n: number) =>
      rec.requests.filter((r) => recordOf(r) === recordId(n)).map(sequenceOf)
    expect(seen(1)).toEqual(['1', '2', '3'])
    expect(seen(2)).toEqual(['1', '2'])
  })

  it('numbers deliveries per credential with ordering "credential"', async () => {
    const { key, rec, dest } = await orderedDestination('credential')
    const other = '1b7f5a2e-0000-4000-8000-000000000001'
    const delivered = collectDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === dest.id,
      3,
    )
    await publishBatch(key, [
      recordEvent(1),
      recordEvent(2),
      recordEvent(3, 'record.updated', other),
    ])
    await delivered
    const byCredential = rec.requests.map((r) => [recordOf(r), sequenceOf(r)])
    expect(byCredential).toEqual(
      expect.arrayContaining([
        [recordId(1), '1'],
        [recordId(2), '2'],
        [recordId(3), '1'],
      ]),
    )
  })

  it('is not sent by destinations without ordering', async () => {
    const { apiKey: key } = await server.createProject()
    const rec = await receiver()
    const dest = await createDestination(server, key, { url: rec.url, events: ['*'] })
    const delivered = collectDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === dest.id,
      1,
    )
    await publish(server, key, recordEvent(1))
    await delivered
    expect(rec.requests[0]!.headers['webhook-sequence']).toBeUndefined()
  })
})

describe('per-record ordering', () => {
  it('sends one record’s deliveries strictly in creation order, even with room for more', async () => {
    const { key, rec, dest } = await orderedDestination('record', { maxConcurrency: 20 })
    // The receiver takes 5 ms per answer and counts how many requests overlap.
    let open = 0
    let mostOpen = 0
    rec.answer((_request, res) => {
      mostOpen = Math.max(mostOpen, ++open)
      setTimeout(() => {
        open--
        res.writeHead(200).end()
      }, 5)
    })
    const events = [recordEvent(1, 'record.created')]
    for (let i = 0; i < 14; i++) events.push(recordEvent(1))
    const delivered = collectDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === dest.id,
      15,
    )
    await publishBatch(key, events)
    await delivered
    expect(rec.requests.map(sequenceOf)).toEqual(events.map((_, i) => String(i + 1)))
    expect(mostOpen).toBe(1)
    expect(JSON.parse(rec.requests[0]!.body).type).toBe('record.created')
  })

  it('lets a retrying head block only its own record', async () => {
    const { key, rec, dest } = await orderedDestination('record')
    // The first delivery of record 1 fails once; everything else succeeds.
    let failedOnce = false
    rec.answer((request, res) => {
      const head = recordOf(request) === recordId(1) && sequenceOf(request) === '1'
      if (head && !failedOnce) {
        failedOnce = true
        res.writeHead(503).end()
      } else res.writeHead(200).end()
    })
    const other = collectDispatch(dispatcher(), 'delivered', (e) => e.destinationId === dest.id, 1)
    await publishBatch(key, [recordEvent(1, 'record.created'), recordEvent(1), recordEvent(2)])
    await other
    await dispatcher().runOnce()
    // Record 2 went out; record 1's second delivery waits behind its failed head.
    expect(rec.requests.map((r) => [recordOf(r), sequenceOf(r)])).toEqual([
      [recordId(1), '1'],
      [recordId(2), '1'],
    ])
    const rest = collectDispatch(dispatcher(), 'delivered', (e) => e.destinationId === dest.id, 2)
    clock.advance(5_000)
    dispatcher().wake()
    await rest
    await waitFor(() => rec.requests.length === 4)
    expect(rec.requests.slice(2).map((r) => [recordOf(r), sequenceOf(r)])).toEqual([
      [recordId(1), '1'],
      [recordId(1), '2'],
    ])
  })

  it('keeps different records in parallel', async () => {
    const { key, rec, dest } = await orderedDestination('record', { maxConcurrency: 10 })
    const hanging: (() => void)[] = []
    rec.answer((_request, res) => hanging.push(() => res.writeHead(200).end()))
    const delivered = collectDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === dest.id,
      10,
    )
    await publishBatch(
      key,
      Array.from({ length: 10 }, (_, n) => recordEvent(n + 1)),
    )
    // All ten records are in flight at once: none waits for another's answer.
    await rec.waitForRequests(10)
    for (const answer of hanging) answer()
    await delivered
  })
})
