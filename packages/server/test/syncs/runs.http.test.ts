import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordId } from '../../src/syncs/index.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import {
  call,
  completeRun,
  createSync,
  expectSeedShape,
  files,
  pushPage,
  renderManagedSync,
  runWith,
  startRun,
  syncEvents,
} from './fixtures.ts'

let server: TestServer
let key: string

beforeAll(async () => {
  server = await startTestServer()
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

const api = () => server.api
const recordEvents = ['record.created', 'record.updated', 'record.deleted', 'record.errored']

describe('an INITIAL run', () => {
  it('emits one sync.completed with numRecords, rendered like the seed sync_complete', async () => {
    const syncId = await createSync(api(), key)
    const runId = await startRun(api(), key, syncId, 'INITIAL')
    await pushPage(api(), key, syncId, runId, { records: files('a', 'b', 'c') })
    await pushPage(api(), key, syncId, runId, { records: files('d') })
    await completeRun(api(), key, syncId, runId)
    const events = await syncEvents(api(), key, syncId, 'sync.completed', ...recordEvents)
    expect(events.map((e) => e.type)).toEqual(['sync.completed'])
    const body = renderManagedSync(events[0]!)
    expectSeedShape(body, 'managed-sync-sync-complete.json', {
      syncInstanceId: syncId,
      part: { syncedAt: events[0]!.data.syncedAt, numRecords: 4 },
    })
  })

  it('moves the sync INITIALIZING → ACTIVE → IDLE with lastSyncedAt and the cursor', async () => {
    const syncId = await createSync(api(), key)
    const status = async () => await call(api(), 200, 'GET', `/v1/syncs/${syncId}`, key)
    expect((await status()).status).toBe('INITIALIZING')
    const runId = await startRun(api(), key, syncId, 'INITIAL')
    expect((await status()).status).toBe('ACTIVE')
    await pushPage(api(), key, syncId, runId, { records: files('a', 'b') })
    await completeRun(api(), key, syncId, runId, 'page-token-7')
    const sync = await status()
    expect(sync).toMatchObject({
      status: 'IDLE',
      summary: { totalRecords: 2, syncedRecordsCount: 2, latestCursor: 'page-token-7' },
    })
    expect(Date.parse(sync.summary.lastSyncedAt)).not.toBeNaN()
  })
})

describe('an INCREMENTAL run', () => {
  it('emits record.created for new records and record.updated for changed ones only', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('a', 'b') })
    const runId = await startRun(api(), key, syncId, 'INCREMENTAL')
    const page = await pushPage(api(), key, syncId, runId, {
      records: [...files('a', 'c'), { externalId: 'b', data: { title: 'Renamed' } }],
    })
    expect(page).toEqual({ created: 1, updated: 1, unchanged: 1, errored: 0, replayed: false })
    await completeRun(api(), key, syncId, runId)
    const events = await syncEvents(api(), key, syncId, ...recordEvents)
    // In page order: a unchanged, c new, b changed.
    expect(events.map((e) => [e.type, e.data.externalId])).toEqual([
      ['record.created', 'c'],
      ['record.updated', 'b'],
    ])
  })

  it('renders record_created and record_updated like the seed examples', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('x') })
    await runWith(api(), key, syncId, 'INCREMENTAL', {
      records: [{ externalId: 'x', data: { title: 'New' } }, ...files('y')],
    })
    const [updated, created] = await syncEvents(api(), key, syncId, ...recordEvents)
    expectSeedShape(renderManagedSync(created!), 'managed-sync-record-created.json', {
      syncInstanceId: syncId,
      part: { recordId: recordId(syncId, 'y') },
    })
    expectSeedShape(renderManagedSync(updated!), 'managed-sync-record-updated.json', {
      syncInstanceId: syncId,
      part: { recordId: recordId(syncId, 'x') },
    })
  })

  it('carries the RFC 6902 diff with oldValue and the new record on record.updated', async () => {
    const syncId = await createSync(api(), key)
    const before = { title: 'Plan', tags: ['a'], owner: { name: 'Ann' }, draft: true }
    const after = { title: 'Plan v2', tags: ['a', 'b'], owner: { name: 'Ann' }, size: 3 }
    await runWith(api(), key, syncId, 'INITIAL', { records: [{ externalId: 'doc', data: before }] })
    await runWith(api(), key, syncId, 'INCREMENTAL', {
      records: [{ externalId: 'doc', data: after }],
    })
    const [event] = await syncEvents(api(), key, syncId, 'record.updated')
    expect(event!.data.record).toEqual(after)
    expect(event!.data.diff).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: '/title', value: 'Plan v2', oldValue: 'Plan' },
        { op: 'remove', path: '/draft', oldValue: true },
        { op: 'add', path: '/tags/1', value: 'b' },
        { op: 'add', path: '/size', value: 3 },
      ]),
    )
    expect(event!.data.diff).toHaveLength(4)
  })

  it('treats data with the same fields in another key order as unchanged', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', {
      records: [{ externalId: 'k', data: { a: 1, b: { c: 2, d: 3 } } }],
    })
    const runId = await startRun(api(), key, syncId, 'INCREMENTAL')
    const page = await pushPage(api(), key, syncId, runId, {
      records: [{ externalId: 'k', data: { b: { d: 3, c: 2 }, a: 1 } }],
    })
    expect(page).toMatchObject({ created: 0, updated: 0, unchanged: 1 })
  })

  it('changes nothing and emits nothing when a page is sent again', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('a') })
    const runId = await startRun(api(), key, syncId, 'INCREMENTAL')
    const page = { records: files('n1', 'n2'), errors: [{ externalId: 'z', message: 'boom' }] }
    const first = await pushPage(api(), key, syncId, runId, page)
    const again = await pushPage(api(), key, syncId, runId, page)
    expect(first).toEqual({ created: 2, updated: 0, unchanged: 0, errored: 1, replayed: false })
    expect(again).toEqual({ ...first, replayed: true })
    const events = await syncEvents(api(), key, syncId, ...recordEvents)
    expect(events.map((e) => e.type).sort()).toEqual([
      'record.created',
      'record.created',
      'record.errored',
    ])
  })

  it('emits record.errored for a record error and goes on with the page', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('a') })
    const runId = await startRun(api(), key, syncId, 'INCREMENTAL')
    const page = await pushPage(api(), key, syncId, runId, {
      records: files('b'),
      errors: [{ externalId: 'broken', message: 'Request failed with status code 404' }],
    })
    expect(page).toMatchObject({ created: 1, errored: 1 })
    await completeRun(api(), key, syncId, runId)
    const [errored] = await syncEvents(api(), key, syncId, 'record.errored')
    expectSeedShape(renderManagedSync(errored!), 'managed-sync-record-errored.json', {
      syncInstanceId: syncId,
      part: { recordId: recordId(syncId, 'broken') },
    })
    const sync = await call(api(), 200, 'GET', `/v1/syncs/${syncId}`, key)
    expect(sync.status).toBe('IDLE')
  })
})

describe('a FULL run', () => {
  it('tombstones the records it did not see and emits record.deleted for each', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('keep', 'gone1', 'gone2') })
    await runWith(api(), key, syncId, 'FULL', { records: files('keep') })
    const events = await syncEvents(api(), key, syncId, ...recordEvents)
    expect(events.map((e) => [e.type, e.data.externalId]).sort()).toEqual([
      ['record.deleted', 'gone1'],
      ['record.deleted', 'gone2'],
    ])
    expectSeedShape(renderManagedSync(events[0]!), 'managed-sync-record-deleted.json', {
      syncInstanceId: syncId,
      part: { recordId: events[0]!.data.recordId },
    })
    const records = await call(api(), 200, 'GET', `/v1/syncs/${syncId}/records`, key)
    // camelCase like live records; external_id too, the name Paragon's webhooks page gives it.
    expect(records.data).toContainEqual({
      id: recordId(syncId, 'gone1'),
      externalId: 'gone1',
      external_id: 'gone1',
      deleted: true,
    })
    expect(records.paging).toMatchObject({ totalRecords: 3, totalActiveRecords: 1 })
    const gone = await api()('GET', `/v1/syncs/${syncId}/records/${recordId(syncId, 'gone1')}`, {
      key,
    })
    expect(gone.status).toBe(404)
  })

  it('brings a deleted record back as record.created', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('a', 'b') })
    await runWith(api(), key, syncId, 'FULL', { records: files('a') })
    await runWith(api(), key, syncId, 'INCREMENTAL', { records: files('b') })
    const events = await syncEvents(api(), key, syncId, ...recordEvents)
    expect(events.map((e) => e.type)).toEqual(['record.deleted', 'record.created'])
    const record = await call(
      api(),
      200,
      'GET',
      `/v1/syncs/${syncId}/records/${recordId(syncId, 'b')}`,
      key,
    )
    expect(record.data).toMatchObject({ externalId: 'b', metadata: { title: 'File b' } })
  })
})

describe('record ids', () => {
  it('are UUIDv5 of the sync and external id, the same in every run', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('stable') })
    await runWith(api(), key, syncId, 'INCREMENTAL', {
      records: [{ externalId: 'stable', data: { title: 'changed' } }],
    })
    const [updated] = await syncEvents(api(), key, syncId, 'record.updated')
    const id = recordId(syncId, 'stable')
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(updated!.data.recordId).toBe(id)
    const otherSync = await createSync(api(), key)
    expect(recordId(otherSync, 'stable')).not.toBe(id)
  })
})
