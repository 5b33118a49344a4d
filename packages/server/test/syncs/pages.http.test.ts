import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import {
  call,
  completeRun,
  createSync,
  files,
  pushPage,
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
const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `r${from + i}`)

describe('two workers pushing pages of one run at once', () => {
  it('store one record per external id and count each created once', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('seed') })
    const runId = await startRun(api(), key, syncId, 'INCREMENTAL')
    // r0…r299 and r200…r499 overlap on r200…r299, with different data on each side.
    const left = range(0, 300).map((id) => ({ externalId: id, data: { side: 'left' } }))
    const right = range(200, 500).map((id) => ({ externalId: id, data: { side: 'right' } }))
    const [a, b] = await Promise.all([
      pushPage(api(), key, syncId, runId, { records: left }),
      pushPage(api(), key, syncId, runId, { records: right }),
    ])
    expect(a.created + b.created).toBe(500)
    expect(a.updated + b.updated).toBe(100)
    await completeRun(api(), key, syncId, runId)
    const page = await call(api(), 200, 'GET', `/v1/syncs/${syncId}/records?pageSize=1000`, key)
    const ids = page.data.map((r: { externalId: string }) => r.externalId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(page.paging.totalRecords).toBe(501)
    const events = await syncEvents(api(), key, syncId, 'record.created', 'record.updated')
    expect(events.filter((e) => e.type === 'record.created')).toHaveLength(500)
    expect(events.filter((e) => e.type === 'record.updated')).toHaveLength(100)
  })

  it('counts an identical overlap as unchanged on the second page', async () => {
    const syncId = await createSync(api(), key)
    const runId = await startRun(api(), key, syncId, 'INITIAL')
    const [a, b] = await Promise.all([
      pushPage(api(), key, syncId, runId, { records: files(...range(0, 50)) }),
      pushPage(api(), key, syncId, runId, { records: files(...range(25, 75)) }),
    ])
    expect(a.created + b.created).toBe(75)
    expect(a.unchanged + b.unchanged).toBe(25)
  })
})

describe('bad pages', () => {
  let syncId: string
  let runId: string
  beforeAll(async () => {
    syncId = await createSync(api(), key)
    runId = await startRun(api(), key, syncId, 'INITIAL')
  })
  const push = (body: unknown) =>
    api()('POST', `/v1/syncs/${syncId}/runs/${runId}/records`, { key, body })

  it('refuses more than 1,000 records with validation_failed', async () => {
    const res = await push({ records: files(...range(0, 1001)) })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: '/records' }],
    })
  })

  it('refuses a page with a repeated external id, writing nothing', async () => {
    const res = await push({ records: files('dup', 'other', 'dup') })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'duplicate_external_id',
      details: [{ path: '/records/2/externalId' }],
    })
    const page = await call(api(), 200, 'GET', `/v1/syncs/${syncId}/records`, key)
    expect(page.data).toEqual([])
  })

  it('refuses data that is not an object', async () => {
    const res = await push({ records: [{ externalId: 'x', data: [1, 2] }] })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: '/records/0/data' }],
    })
  })

  it('refuses content that is not base64', async () => {
    const res = await push({ records: [{ externalId: 'x', data: {}, content: 'not base64!' }] })
    expect(res.status).toBe(400)
    expect(res.body.error.details[0].path).toBe('/records/0/content')
  })

  it('refuses content over 25 MiB with content_too_large', async () => {
    const content = Buffer.alloc(25 * 1024 * 1024 + 1).toString('base64')
    const res = await push({ records: [{ externalId: 'big', data: {}, content }] })
    expect(res.status).toBe(413)
    expect(res.body.error).toMatchObject({
      code: 'content_too_large',
      details: [{ path: '/records/0/content' }],
    })
  })
})

describe('run rules', () => {
  it('refuses a FULL or INCREMENTAL run before the INITIAL run completed', async () => {
    const syncId = await createSync(api(), key)
    for (const type of ['FULL', 'INCREMENTAL']) {
      const res = await api()('POST', `/v1/syncs/${syncId}/runs`, { key, body: { type } })
      expect(res.status).toBe(409)
      expect(res.body.error.code).toBe('sync_run_not_allowed')
    }
  })

  it('refuses a second INITIAL run once one completed', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('a') })
    const res = await api()('POST', `/v1/syncs/${syncId}/runs`, { key, body: { type: 'INITIAL' } })
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('sync_run_not_allowed')
  })

  it('refuses a second open run with sync_run_in_progress', async () => {
    const syncId = await createSync(api(), key)
    const runId = await startRun(api(), key, syncId, 'INITIAL')
    const res = await api()('POST', `/v1/syncs/${syncId}/runs`, { key, body: { type: 'INITIAL' } })
    expect(res.status).toBe(409)
    expect(res.body.error).toMatchObject({ code: 'sync_run_in_progress', details: { runId } })
  })

  it('refuses completing a run twice and pushing to a finished run', async () => {
    const syncId = await createSync(api(), key)
    const runId = await startRun(api(), key, syncId, 'INITIAL')
    await completeRun(api(), key, syncId, runId)
    const again = await api()('POST', `/v1/syncs/${syncId}/runs/${runId}/complete`, {
      key,
      body: {},
    })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('sync_run_finished')
    const late = await api()('POST', `/v1/syncs/${syncId}/runs/${runId}/records`, {
      key,
      body: { records: files('late') },
    })
    expect(late.status).toBe(409)
    expect(late.body.error.code).toBe('sync_run_finished')
    const summary = (await call(api(), 200, 'GET', `/v1/syncs/${syncId}`, key)).summary
    expect(summary.totalRecords).toBe(0)
  })

  it('completes a run sent without a body', async () => {
    const syncId = await createSync(api(), key)
    const runId = await startRun(api(), key, syncId, 'INITIAL')
    const res = await api()('POST', `/v1/syncs/${syncId}/runs/${runId}/complete`, { key })
    expect(res.status).toBe(200)
    expect(res.body.run).toMatchObject({ status: 'completed', totals: { created: 0 } })
  })

  it('answers 404 for a run id that is not a UUID or not of this sync', async () => {
    const syncId = await createSync(api(), key)
    const other = await createSync(api(), key)
    const runId = await startRun(api(), key, other, 'INITIAL')
    for (const id of ['nope', runId]) {
      const res = await api()('POST', `/v1/syncs/${syncId}/runs/${id}/complete`, { key, body: {} })
      expect(res.status).toBe(404)
    }
  })
})
