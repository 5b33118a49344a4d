import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collectDispatch, createDestination, recordCreated } from '../delivery/fixtures.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { cliEnv, runCli } from './run-cli.ts'

const total = Number(process.env.SWITCHYARD_REPLAY_COUNT ?? 10_000)
// Every tenth event's delivery keeps failing on replay; the others go through.
const failsAgain = (i: number) => i % 10 === 0

let server: TestServer
let key: string
let app: Receiver
let down = true

beforeAll(async () => {
  server = await startTestServer()
  key = (await server.createProject()).apiKey
  // One attempt per delivery: a 500 fails it for good, as after a long outage.
  await server.api('PUT', '/v1/settings', { key, body: { retrySchedule: [] } })
  app = await startReceiver((request, res) => {
    const i = Number(/"recordId":"r-(\d+)"/.exec(request.body)?.[1])
    res.writeHead(down || failsAgain(i) ? 500 : 200).end()
  })
})
afterAll(async () => {
  await app.close()
  await server.close()
})

/** `total` deliveries to one destination, every one failed for good. */
async function failedDeliveries(): Promise<string> {
  const destination = await createDestination(server, key, {
    url: app.url,
    events: ['record.created'],
    maxConcurrency: 100,
  })
  const failed = collectDispatch(
    server.engine.dispatcher,
    'failed',
    (e) => e.destinationId === destination.id,
    total,
    60_000,
  )
  for (let start = 0; start < total; start += 1000) {
    const events = Array.from({ length: Math.min(1000, total - start) }, (_, j) => ({
      ...recordCreated,
      data: { ...recordCreated.data, recordId: `r-${start + j}` },
    }))
    const res = await server.api('POST', '/v1/events/batch', { key, body: { events } })
    expect(res.status).toBe(202)
  }
  await failed
  return destination.id
}

describe('switchyard replay', () => {
  it(`replays ${total.toLocaleString('en-US')} failed deliveries with progress and a correct summary`, async () => {
    const t0 = Date.now()
    const destinationId = await failedDeliveries()
    console.log('setup', Date.now() - t0)
    down = false
    const res = await runCli(
      ['replay', '--destination', destinationId, '--since', '1h', '--json'],
      {
        env: cliEnv(server, key),
        timeoutMs: 60_000,
      },
    )
    console.log('replay', Date.now() - t0, res.stderr)
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
  })
})
