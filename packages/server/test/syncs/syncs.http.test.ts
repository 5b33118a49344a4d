import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import {
  call,
  createSync,
  driveSync,
  expectSeedShape,
  files,
  pushPage,
  renderManagedSync,
  runWith,
  seedCredential,
  startRun,
  syncEvents,
} from './fixtures.ts'

// A stopped clock: times in answers are exact.
const clock = { now: () => new Date('2030-01-01T00:00:00.000Z') }
let server: TestServer
let key: string

beforeAll(async () => {
  server = await startTestServer({ now: clock.now })
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

const api = () => server.api
const getSync = (syncId: string) => call(api(), 200, 'GET', `/v1/syncs/${syncId}`, key)
const fail = (syncId: string, runId: string, body: object) =>
  call(api(), 200, 'POST', `/v1/syncs/${syncId}/runs/${runId}/fail`, key, body)

describe('POST /v1/syncs', () => {
  it('creates an INITIALIZING sync with an empty summary', async () => {
    const sync = await call(api(), 201, 'POST', '/v1/syncs', key, {
      ...driveSync,
      configuration: { folderId: 'root' },
      schedule: { incrementalEverySeconds: 300 },
    })
    expect(sync).toMatchObject({
      integration: 'googledrive',
      pipeline: 'files',
      status: 'INITIALIZING',
      userId: driveSync.userId,
      credentialId: seedCredential,
      configuration: { folderId: 'root' },
      summary: { totalRecords: 0, syncedRecordsCount: 0, lastSyncedAt: null, latestCursor: null },
      schedule: { incrementalEverySeconds: 300, fullEverySeconds: 86400 },
    })
    expect(sync.error).toBeUndefined()
  })

  it('says a sync without a built-in connector is run by a worker, not the engine', async () => {
    const sync = await call(api(), 201, 'POST', '/v1/syncs', key, driveSync)
    // Its nextRunAt is the schedule's hint to that worker: the engine never runs it.
    expect(sync).toMatchObject({ runBy: 'worker', nextRunAt: clock.now().toISOString() })
  })

  it('needs userId with a project key', async () => {
    const { userId: _, ...body } = driveSync
    const res = await api()('POST', '/v1/syncs', { key, body })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: '/userId' }],
    })
  })

  it('refuses unknown fields', async () => {
    const res = await api()('POST', '/v1/syncs', { key, body: { ...driveSync, colour: 'red' } })
    expect(res.status).toBe(400)
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: '/colour' })])
  })
})

describe('reading syncs', () => {
  it('lists the project syncs newest first, filtered by user', async () => {
    const mine = await createSync(api(), key, { ...driveSync, userId: 'list-user' })
    const page = await call(api(), 200, 'GET', '/v1/syncs?userId=list-user', key)
    expect(page.data.map((s: { id: string }) => s.id)).toEqual([mine])
    expect(page.nextCursor).toBeNull()
  })

  it("answers 404 for another project's sync and for a malformed id", async () => {
    const syncId = await createSync(api(), key)
    const other = (await server.createProject('Other')).apiKey
    expect((await api()('GET', `/v1/syncs/${syncId}`, { key: other })).status).toBe(404)
    expect((await api()('GET', `/v1/syncs/${syncId}/records`, { key: other })).status).toBe(404)
    expect((await api()('GET', '/v1/syncs/not-a-uuid', { key })).status).toBe(404)
  })

  it('serves the error code table', async () => {
    const codes = await call(api(), 200, 'GET', '/v1/sync-error-codes', key)
    expect(codes.data).toContainEqual(
      expect.objectContaining({ code: 'PROXY_7300', category: 'credential', recoverable: false }),
    )
    expect(codes.data.map((c: { code: string }) => c.code)).toEqual(
      expect.arrayContaining([
        'PROXY_401',
        'PROXY_403',
        '10001',
        '10003',
        '10004',
        '10005',
        '10006',
        '20005',
        '00000',
      ]),
    )
    expect(codes.transientCodes).toContain('rate_limited')
  })
})

describe('disable, re-enable, delete', () => {
  it('disables a sync, cancelling its open run, and re-enables it IDLE', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('a') })
    const runId = await startRun(api(), key, syncId, 'INCREMENTAL')
    const disabled = await call(api(), 200, 'POST', `/v1/syncs/${syncId}/disable`, key)
    expect(disabled).toMatchObject({ status: 'DISABLED', nextRunAt: null })
    const late = await api()('POST', `/v1/syncs/${syncId}/runs/${runId}/records`, {
      key,
      body: { records: files('b') },
    })
    expect(late.body.error.code).toBe('sync_run_finished')
    const refused = await api()('POST', `/v1/syncs/${syncId}/runs`, {
      key,
      body: { type: 'INCREMENTAL' },
    })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('sync_not_runnable')
    const enabled = await call(api(), 200, 'POST', `/v1/syncs/${syncId}/reenable`, key)
    expect(enabled).toMatchObject({ status: 'IDLE', nextRunAt: clock.now().toISOString() })
  })

  it('deletes a sync with its records', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('a') })
    expect((await api()('DELETE', `/v1/syncs/${syncId}`, { key })).status).toBe(204)
    expect((await api()('GET', `/v1/syncs/${syncId}`, { key })).status).toBe(404)
  })
})

describe('a permanent failure', () => {
  it('sets ERRORED with the error and emits sync_errored like the seed example', async () => {
    const syncId = await createSync(api(), key)
    const runId = await startRun(api(), key, syncId, 'INITIAL')
    const message = `Credential ID ${seedCredential} is no longer valid or has been deleted.`
    const result = await fail(syncId, runId, { code: 'PROXY_7300', message })
    expect(result).toMatchObject({ failure: 'permanent', run: { status: 'failed' } })
    expect(await getSync(syncId)).toMatchObject({
      status: 'ERRORED',
      error: { code: 'PROXY_7300', message },
      nextRunAt: null,
    })
    const [errored] = await syncEvents(api(), key, syncId, 'sync.errored')
    expectSeedShape(renderManagedSync(errored!), 'managed-sync-sync-errored-credential.json', {
      syncInstanceId: syncId,
      part: {},
    })
  })

  it.each([
    'PROXY_401',
    'PROXY_403',
    '10006',
    '10003',
    '10001',
    '10004',
    '10005',
    '20005',
    '00000',
    'PROXY_9999',
  ])('treats %s as permanent', async (code) => {
    const syncId = await createSync(api(), key)
    const runId = await startRun(api(), key, syncId, 'INITIAL')
    await fail(syncId, runId, { code, message: 'upstream says no', httpStatus: 400 })
    expect((await getSync(syncId)).status).toBe('ERRORED')
    expect(await syncEvents(api(), key, syncId, 'sync.errored')).toHaveLength(1)
  })

  it('keeps ERRORED until re-enabled; re-enabling clears the error', async () => {
    const syncId = await createSync(api(), key)
    const runId = await startRun(api(), key, syncId, 'INITIAL')
    await fail(syncId, runId, { code: '10006', message: 'folderId is missing' })
    const refused = await api()('POST', `/v1/syncs/${syncId}/runs`, {
      key,
      body: { type: 'INITIAL' },
    })
    expect(refused.body.error.code).toBe('sync_not_runnable')
    const enabled = await call(api(), 200, 'POST', `/v1/syncs/${syncId}/reenable`, key)
    expect(enabled.status).toBe('INITIALIZING')
    expect(enabled.error).toBeUndefined()
    await startRun(api(), key, syncId, 'INITIAL')
  })
})

describe('a transient failure', () => {
  it('emits nothing and schedules a retry with backoff', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('a') })
    const now = clock.now().getTime()
    const first = await fail(syncId, await startRun(api(), key, syncId, 'INCREMENTAL'), {
      code: 'network_error',
      message: 'socket hang up',
    })
    expect(first).toMatchObject({ failure: 'transient', sync: { status: 'IDLE' } })
    const second = await fail(syncId, await startRun(api(), key, syncId, 'INCREMENTAL'), {
      code: 'PROXY_502',
      message: 'Bad gateway',
      httpStatus: 502,
    })
    expect(Date.parse(first.sync.nextRunAt) - now).toBeGreaterThanOrEqual(30_000)
    expect(Date.parse(second.sync.nextRunAt) - now).toBeGreaterThanOrEqual(60_000)
    expect(await syncEvents(api(), key, syncId, 'sync.errored', 'record.errored')).toEqual([])
  })

  it("waits a 429's retryAfterMs", async () => {
    const syncId = await createSync(api(), key)
    const runId = await startRun(api(), key, syncId, 'INITIAL')
    await pushPage(api(), key, syncId, runId, { records: files('a') })
    const result = await fail(syncId, runId, {
      code: 'rate_limited',
      message: 'Too many requests',
      httpStatus: 429,
      retryAfterMs: 120_000,
    })
    expect(result.sync.status).toBe('INITIALIZING')
    expect(Date.parse(result.sync.nextRunAt)).toBe(clock.now().getTime() + 120_000)
    expect(await syncEvents(api(), key, syncId, 'sync.errored')).toEqual([])
  })
})
