import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitForDispatch } from '../../src/delivery/index.ts'
import { createClock } from '../helpers/clock.ts'
import { startParagonReceiver, type ParagonReceiver } from '../helpers/paragon-receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import {
  call,
  completeRun,
  createSync,
  driveSync,
  pushPage,
  startRun,
  type PageBody,
} from '../syncs/fixtures.ts'
import { collectDispatch, exactSchedule, noPoll } from './fixtures.ts'

/*
 * Issue #25: a receiver written for Paragon's Managed Sync, as strict as Paragon's own example
 * (test/helpers/paragon-receiver.ts), on the project webhook, through the whole life of a sync:
 * the test button, an initial sync read page by page with the cursor API, the receiver going
 * down until the destination pauses, changes held meanwhile, the probe it answers 200 to, the
 * self-heal and the held backfill, and a catch-up from its kept cursor. It never has reason to
 * answer 400, and ends with the sync's records, content included.
 */

const clock = createClock()
let server: TestServer
let receiver: ParagonReceiver
let key: string
let destinationId: string
let syncId: string
const user = driveSync.userId

const dispatcher = () => server.engine.dispatcher
const verification = JSON.stringify({ event: 'webhook_verification' })

/** A files record; odd ones carry content (the receiver downloads those with a MIME type). */
function file(n: number, version = 1): NonNullable<PageBody['records']>[number] {
  const withContent = n % 2 === 1
  return {
    externalId: `f${n}`,
    name: `file-${n}.txt`,
    data: { parentFolderId: 'root', updatedAt: `2025-07-0${version}T10:00:00.000Z`, version },
    ...(withContent
      ? { mimeType: 'text/plain', content: Buffer.from(`file ${n} v${version}`).toString('base64') }
      : {}),
  }
}

async function run(type: string, ...pages: PageBody[]): Promise<void> {
  const runId = await startRun(server.api, key, syncId, type)
  for (const page of pages) await pushPage(server.api, key, syncId, runId, page)
  await completeRun(server.api, key, syncId, runId)
}

/** The sync's live records from scratch, with the project key, as the read API gives them. */
async function liveRecords(): Promise<Map<string, Record<string, unknown>>> {
  const page = await call(server.api, 200, 'GET', `/v1/syncs/${syncId}/records?limit=1000`, key)
  const live = page.data.filter((r: { deleted?: boolean }) => !r.deleted)
  return new Map(live.map((r: { id: string }) => [r.id, r]))
}

/** Waits until the receiver's copy has these external ids, its processing done. */
async function receiverHas(externalIds: string[]): Promise<void> {
  await waitFor(async () => {
    await receiver.idle()
    const kept = [...(receiver.records.get(syncId)?.values() ?? [])]
    const ids = kept.map((k) => String(k.record.externalId)).sort()
    return JSON.stringify(ids) === JSON.stringify([...externalIds].sort()) || undefined
  }, 15_000)
}

beforeAll(async () => {
  server = await startTestServer({ now: clock.now, config: { ...exactSchedule, ...noPoll } })
  key = (await server.createProject('Acme')).apiKey
  receiver = await startParagonReceiver({
    apiUrl: server.url,
    audience: `switchyard.test/paragon-conformance/${Date.now()}`,
    pageSize: 2,
    now: clock.now,
  })
  const settings = await call(server.api, 200, 'PUT', '/v1/settings', key, {
    webhookUrl: receiver.url,
    userTokens: receiver.userTokens,
    autoDisable: { minConsecutiveFailures: 1, afterDays: 0.001 },
    retrySchedule: [60, 60],
  })
  expect(settings.webhookSecret).toMatch(/^whsec_/)
  destinationId = settings.webhookDestinationId
  syncId = await createSync(server.api, key, driveSync)
}, 60_000)
afterAll(async () => {
  await server?.close()
  await receiver?.close()
})

describe('a strict Paragon receiver on the project webhook', () => {
  it('answers 200 to the test button', async () => {
    const res = await call(server.api, 200, 'POST', `/v1/destinations/${destinationId}/test`, key)
    expect(res).toMatchObject({ outcome: 'delivered', status: 200 })
    expect(res.requestBody).toBe(verification)
  })

  it('reads the initial sync page by page with the cursor API', async () => {
    const delivered = waitForDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === destinationId,
    )
    await run(
      'INITIAL',
      { records: [file(1), file(2)] },
      { records: [file(3), file(4)] },
      {
        records: [file(5)],
      },
    )
    await delivered
    await receiverHas(['f1', 'f2', 'f3', 'f4', 'f5'])
    expect(receiver.received.at(-1)).toMatchObject({
      status: 200,
      body: { event: 'sync_complete', syncInstanceId: syncId, user: { id: user } },
    })
  })

  it('pauses when it goes down, resumes on the probe, and gets what was held', async () => {
    receiver.down(503)
    const failed = collectDispatch(
      dispatcher(),
      'attempt',
      (e) => e.destinationId === destinationId,
      2,
    )
    await run('INCREMENTAL', { records: [file(2, 2), file(6)] })
    await failed
    clock.advance(90_000)
    const paused = waitForDispatch(dispatcher(), 'paused', (e) => e.destinationId === destinationId)
    dispatcher().wake()
    await paused

    // While paused: f7 appears and f3 is gone (a FULL run), both held.
    await run('FULL', { records: [file(1), file(2, 2), file(4), file(5), file(6), file(7)] })
    const held = await call(
      server.api,
      200,
      'GET',
      `/v1/deliveries?destinationId=${destinationId}&status=held`,
      key,
    )
    expect(held.data.map((d: { eventType: string }) => d.eventType).sort()).toEqual([
      'record.created',
      'record.created',
      'record.deleted',
      'record.updated',
    ])

    receiver.down(null)
    const before = receiver.received.length
    clock.advance(15 * 60_000)
    const backfilled = collectDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === destinationId,
      4,
      15_000,
    )
    const probes = (await server.engine.prober.probe()).filter(
      (r) => r.destinationId === destinationId,
    )
    expect(probes).toMatchObject([{ outcome: 'resumed', released: 4 }])
    await backfilled
    // The probe was the bare verification ping, answered 200.
    expect(receiver.received[before]).toEqual({
      body: { event: 'webhook_verification' },
      status: 200,
    })
    await receiverHas(['f1', 'f2', 'f4', 'f5', 'f6', 'f7'])
    const backfill = receiver.received
      .slice(before + 1)
      .map((r) => [r.status, (r.body as { event: string }).event])
    expect(backfill.sort()).toEqual([
      [200, 'record_created'],
      [200, 'record_created'],
      [200, 'record_deleted'],
      [200, 'record_updated'],
    ])
    const timeline = await call(
      server.api,
      200,
      'GET',
      `/v1/destinations/${destinationId}/timeline`,
      key,
    )
    expect(timeline.data.map((e: { kind: string }) => e.kind).slice(0, 2)).toEqual([
      'resumed',
      'paused',
    ])
  })

  it('catches up from its kept cursor: the changes since, the deleted one as a sparse entry', async () => {
    const since = await receiver.catchUp(syncId, user)
    expect(since.map((r) => [r.externalId, r.deleted ?? false]).sort()).toEqual([
      ['f2', false],
      ['f3', true],
      ['f6', false],
      ['f7', false],
    ])
    expect(since.find((r) => r.deleted)).toEqual({
      id: expect.any(String),
      externalId: 'f3',
      external_id: 'f3',
      deleted: true,
    })
  })

  it('ends with exactly the sync’s records and contents, having refused nothing', async () => {
    const live = await liveRecords()
    const kept = receiver.records.get(syncId)!
    expect([...kept.keys()].sort()).toEqual([...live.keys()].sort())
    for (const [id, { record, content }] of kept) {
      expect(record, String(record.externalId)).toEqual(live.get(id))
      const n = Number(String(record.externalId).slice(1))
      const version = (record.version as number) ?? 1
      expect(content?.toString() ?? null).toBe(n % 2 === 1 ? `file ${n} v${version}` : null)
    }
    expect(
      kept.get([...kept.keys()].find((id) => kept.get(id)!.record.externalId === 'f2')!)!.record,
    ).toMatchObject({ parentFolderId: 'root', version: 2, updatedAt: '2025-07-02T10:00:00.000Z' })
    expect(receiver.refused).toEqual([])
    expect(receiver.errors).toEqual([])
    for (const { body, status } of receiver.received)
      if ((body as { event?: string }).event === 'webhook_verification') {
        expect(JSON.stringify(body)).toBe(verification)
        expect(status).toBe(200)
      }
  })
})
