import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { waitForDispatch } from '../../src/delivery/index.ts'
import { createClock } from '../helpers/clock.ts'
import { startReceiver, statuses, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createDestination, exactSchedule, noPoll, publish } from './fixtures.ts'

const clock = createClock()
let server: TestServer
const receivers: Receiver[] = []

beforeAll(async () => {
  server = await startTestServer({ now: clock.now, config: { ...exactSchedule, ...noPoll } })
})
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})
afterAll(() => server.close())

const dispatcher = () => server.engine.dispatcher

async function setUp(maxConcurrency: number) {
  const { apiKey: key } = await server.createProject()
  const rec = await startReceiver()
  receivers.push(rec)
  const dest = await createDestination(server, key, { url: rec.url, events: ['*'], maxConcurrency })
  const read = async () => (await server.api('GET', `/v1/destinations/${dest.id}`, { key })).body
  const attempt = () => waitForDispatch(dispatcher(), 'attempt', (e) => e.destinationId === dest.id)
  return { key, rec, dest, read, attempt }
}

describe('adaptive concurrency', () => {
  it('starts at the configured maximum', async () => {
    const { read } = await setUp(8)
    expect(await read()).toMatchObject({ maxConcurrency: 8, currentConcurrency: 8 })
  })

  it('halves the current limit after a 429 and shows it', async () => {
    const { key, rec, read, attempt } = await setUp(8)
    rec.answer(statuses(429))
    const first = attempt()
    await publish(server, key)
    await first
    expect(await read()).toMatchObject({ currentConcurrency: 4 })
  })

  it('grows back by one per window of successes', async () => {
    const { key, rec, read, attempt } = await setUp(8)
    rec.answer(statuses(503, 200))
    const first = attempt()
    await publish(server, key)
    await first
    // 4 successes (one window at limit 4) raise it to 5.
    for (let i = 0; i < 4; i++) {
      const next = attempt()
      await publish(server, key)
      await next
    }
    expect(await read()).toMatchObject({ currentConcurrency: 5 })
  })

  it('sends nothing to the destination until its Retry-After has passed', async () => {
    const { key, rec, attempt } = await setUp(8)
    rec.answer((_request, res) => res.writeHead(429, { 'retry-after': '30' }).end())
    const first = attempt()
    await publish(server, key)
    await first
    rec.answer(statuses(200))
    await publish(server, key)
    expect(await dispatcher().runOnce()).toBe(0)
    expect(rec.requests).toHaveLength(1)
    clock.advance(31_000)
    await dispatcher().runOnce()
    // The retry of the first and the second event.
    expect(rec.requests.map((r) => r.headers['webhook-id'])).toHaveLength(3)
    expect(new Set(rec.requests.map((r) => r.headers['webhook-id'])).size).toBe(2)
  })
})
