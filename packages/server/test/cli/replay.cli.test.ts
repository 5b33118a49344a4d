import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/store/index.ts'
import { createDestination, recordCreated } from '../delivery/fixtures.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { cliEnv, runCli } from './run-cli.ts'

// The 10,000 on PostgreSQL. PGlite sends about 300 deliveries a second on a small
// machine, so 10,000 would take over 30 s there: it replays 2,000 (SWITCHYARD_REPLAY_COUNT
// overrides both).
const total = Number(
  process.env.SWITCHYARD_REPLAY_COUNT ?? (process.env.DATABASE_URL ? 10_000 : 2000),
)
// Every tenth event's delivery fails again on replay; the others go through.
// The bounds only end a hang: on PostgreSQL with the machine busy (two cores, load 13) the
// 10,000 had reached 95 % after 100 s, the old bound. How fast a replay goes is bench/'s to say.
const replayWaitMs = 480_000
const failsAgain = (i: number) => i % 10 === 0

let server: TestServer
let key: string
let app: Receiver

beforeAll(async () => {
  server = await startTestServer()
  key = (await server.createProject()).apiKey
  // One attempt per delivery: a 500 on replay fails it for good.
  await server.api('PUT', '/v1/settings', { key, body: { retrySchedule: [] } })
  app = await startReceiver((request, res) => {
    const i = Number(/"recordId":"r-(\d+)"/.exec(request.body)?.[1])
    res.writeHead(failsAgain(i) ? 500 : 200).end()
  })
})
afterAll(async () => {
  await app.close()
  await server.close()
})

/**
 * An outage: `total` deliveries to one destination, each failed for good. They are published
 * while the destination is disabled (so they wait, held) and then marked failed in one
 * statement; sending each one to fail first would double the test's time.
 */
async function failedDeliveries(): Promise<string> {
  const destination = await createDestination(server, key, {
    url: app.url,
    events: ['record.created'],
  })
  await server.api('POST', `/v1/destinations/${destination.id}/disable`, { key })
  for (let start = 0; start < total; start += 1000) {
    const events = Array.from({ length: Math.min(1000, total - start) }, (_, j) => ({
      ...recordCreated,
      data: { ...recordCreated.data, recordId: `r-${start + j}` },
    }))
    const res = await server.api('POST', '/v1/events/batch', { key, body: { events } })
    expect(res.status).toBe(202)
  }
  const failed = await sql`
    update deliveries
    set status = 'failed', attempts = 1, last_attempt_at = now(), last_status = 503,
        next_attempt_at = null, completed_at = now()
    where destination_id = ${destination.id} and status = 'held'
    returning 1`.execute(server.engine.db.kysely)
  expect(failed.rows).toHaveLength(total)
  await server.api('POST', `/v1/destinations/${destination.id}/enable`, { key })
  return destination.id
}

describe('switchyard replay', () => {
  it(
    `replays ${total.toLocaleString('en-US')} failed deliveries with progress and a correct summary`,
    { timeout: replayWaitMs + 120_000 },
    async () => {
      const destinationId = await failedDeliveries()
      const res = await runCli(
        ['replay', '--destination', destinationId, '--since', '1h', '--json'],
        {
          env: cliEnv(server, key),
          timeoutMs: replayWaitMs,
        },
      )
      expect(res.code, res.stderr).toBe(0)
      const failed = Array.from({ length: total }, (_, i) => i).filter(failsAgain).length
      expect(JSON.parse(res.stdout)).toEqual({
        destinationId,
        requeued: total,
        succeeded: total - failed,
        failed,
        pending: 0,
        held: 0,
      })
      const progress = res.stderr.split('\n').filter((line) => line.startsWith('replay: '))
      expect(progress[0]).toBe(`replay: 0/${total.toLocaleString('en-US')}  0%`)
      expect(progress.at(-1)).toBe(
        `replay: ${total.toLocaleString('en-US')}/${total.toLocaleString('en-US')}  100%`,
      )
    },
  )
})
