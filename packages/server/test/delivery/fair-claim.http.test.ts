import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { claimDue } from '../../src/delivery/store.ts'
import { createClock } from '../helpers/clock.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createDestination } from './fixtures.ts'

const clock = createClock()
let server: TestServer

// An API-only engine: no dispatcher runs, so each test's claims are the only ones.
beforeAll(async () => {
  server = await startTestServer({ now: clock.now, config: { role: 'api' } })
})
afterAll(() => server.close())
// Each test starts with nothing due: the destinations it made go, with their deliveries.
const made: { key: string; id: string }[] = []
afterEach(async () => {
  for (const { key, id } of made.splice(0))
    await server.api('DELETE', `/v1/destinations/${id}`, { key })
})

async function projectWithDue(count: number) {
  const { apiKey: key, projectId } = await server.createProject()
  const dest = await createDestination(server, key, {
    url: 'http://127.0.0.1:9/hook',
    events: ['*'],
    maxConcurrency: 100,
  })
  made.push({ key, id: dest.id })
  const events = Array.from({ length: count }, () => ({ type: 'webhook.test', data: {} }))
  const res = await server.api('POST', '/v1/events/batch', { key, body: { events } })
  expect(res.status).toBe(202)
  return { projectId, dest }
}

const claim = (extra: Partial<Parameters<typeof claimDue>[1]>) =>
  claimDue(server.engine.db.kysely, {
    workerId: 'test-worker',
    now: clock.now(),
    limit: 50,
    leaseMarginMs: 30_000,
    after: null,
    load: [],
    ...extra,
  })

describe('fair claims', () => {
  it('skip a project that has used up its share and serve the others', async () => {
    const busy = await projectWithDue(40)
    const quiet = await projectWithDue(3)
    const rows = await claim({
      projects: [{ projectId: busy.projectId, inFlight: 300, weight: 1, room: 0 }],
    })
    expect(new Set(rows.map((r) => r.project_id))).toEqual(new Set([quiet.projectId]))
    expect(rows).toHaveLength(3)
  })

  it('serve the least-served project first when the batch is too small for all', async () => {
    const busy = await projectWithDue(40)
    const quiet = await projectWithDue(3)
    const rows = await claim({
      limit: 3,
      projects: [{ projectId: busy.projectId, inFlight: 10, weight: 1, room: 100 }],
    })
    expect(rows.map((r) => r.project_id)).toEqual([
      quiet.projectId,
      quiet.projectId,
      quiet.projectId,
    ])
  })

  it('take first attempts only once retries fill their share', async () => {
    const first = await projectWithDue(2)
    // The first claim makes these retries once their lease runs out.
    expect(await claim({})).toHaveLength(2)
    clock.advance(3_600_000)
    const fresh = await projectWithDue(2)
    const rows = await claim({ retries: false })
    expect(rows.map((r) => r.project_id)).toEqual([fresh.projectId, fresh.projectId])
    expect(rows.every((r) => r.project_id !== first.projectId)).toBe(true)
  })
})
