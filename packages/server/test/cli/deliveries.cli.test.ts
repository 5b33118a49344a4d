import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitForDispatch } from '../../src/delivery/index.ts'
import { deliveryStatuses } from '../../src/delivery/schemas.ts'
import { publish } from '../delivery/fixtures.ts'
import { startReceiver, statuses, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { cliEnv, runCli } from './run-cli.ts'

let server: TestServer
let key: string
let env: NodeJS.ProcessEnv
let app: Receiver

beforeAll(async () => {
  server = await startTestServer()
  key = (await server.createProject()).apiKey
  env = cliEnv(server, key)
  app = await startReceiver()
})
afterAll(async () => {
  await app.close()
  await server.close()
})

const cli = (...args: string[]) => runCli(args, { env })

/*
 * Bounds for a busy machine: a CLI process took over 10 s to start with the machine loaded, and
 * a dispatch wait created before one runs counts that time too. They only end a failing test.
 */
const dispatchWaitMs = 60_000
const testTimeoutMs = 180_000

/** A destination made with the CLI, and one delivery to it that ended as `answer` makes it. */
async function destinationWithDelivery(answer: number) {
  app.answer(statuses(answer))
  const created = await cli('destinations', 'create', '--url', app.url, '--events', '*', '--json')
  const destination = JSON.parse(created.stdout)
  await server.api('PUT', '/v1/settings', { key, body: { retrySchedule: [] } })
  const done = waitForDispatch(
    server.engine.dispatcher,
    answer < 300 ? 'delivered' : 'failed',
    (e) => e.destinationId === destination.id,
    dispatchWaitMs,
  )
  const eventId = await publish(server, key)
  const { deliveryId } = await done
  return { destination, deliveryId, eventId }
}

describe('switchyard destinations', { timeout: testTimeoutMs }, () => {
  it('creates a destination and prints its secret once', async () => {
    const res = await cli(
      'destinations',
      'create',
      '--url',
      app.url,
      '--events',
      'record.created,record.deleted',
      '--header',
      'X-Team: search',
    )
    expect(res.code).toBe(0)
    expect(res.stdout).toMatch(/Secret\s+whsec_\S+ {3}\(shown once/)
    const id = /Created\s+(\S+)/.exec(res.stdout)![1]!
    const listed = JSON.parse((await cli('destinations', 'ls', '--json')).stdout)
    const found = listed.find((d: { id: string }) => d.id === id)
    expect(found).toMatchObject({
      events: ['record.created', 'record.deleted'],
      headers: { 'X-Team': 'search' },
    })
    expect(found.secret).toBeUndefined()
  })

  it('tests a destination: exit 0 when it answers 2xx, 1 when it does not', async () => {
    const { destination } = await destinationWithDelivery(200)
    const ok = await cli('destinations', 'test', destination.id)
    expect(ok).toMatchObject({ code: 0, stderr: '' })
    expect(ok.stdout).toMatch(/^delivered 200 in \d+ ms {2}webhook-id \S+\n$/)
    app.answer(statuses(503))
    const failed = await cli('destinations', 'test', destination.id)
    expect(failed.code).toBe(1)
    expect(failed.stdout).toMatch(/^failed 503 in \d+ ms/)
  })

  it('disables and enables a destination', async () => {
    const { destination } = await destinationWithDelivery(200)
    const off = await cli('destinations', 'disable', destination.id, '--reason', 'maintenance')
    expect(off.stdout).toBe(`${destination.id} disabled (maintenance)\n`)
    const on = await cli('destinations', 'enable', destination.id, '--json')
    expect(JSON.parse(on.stdout)).toMatchObject({ id: destination.id, enabled: true })
  })
})

describe('switchyard deliveries', { timeout: testTimeoutMs }, () => {
  it('lists deliveries as JSON, filtered by destination and status', async () => {
    const { destination, deliveryId, eventId } = await destinationWithDelivery(500)
    const res = await cli(
      'deliveries',
      'ls',
      '--destination',
      destination.id,
      '--status',
      'failed',
      '--json',
    )
    expect(res.code).toBe(0)
    expect(JSON.parse(res.stdout)).toEqual([
      expect.objectContaining({
        id: deliveryId,
        eventId,
        status: 'failed',
        attemptCount: 1,
        lastStatus: 500,
      }),
    ])
    const none = await cli(
      'deliveries',
      'ls',
      '--destination',
      destination.id,
      '--status',
      'succeeded',
      '--json',
    )
    expect(JSON.parse(none.stdout)).toEqual([])
  })

  it('filters by every delivery status the API has, coalesced included', async () => {
    const help = await cli('deliveries', 'ls', '--help')
    const choices = /\(choices: ([^)]+)\)/.exec(help.stdout.replace(/\s+/g, ' '))![1]!
    expect(choices.split(', ').map((c) => JSON.parse(c))).toEqual([...deliveryStatuses])
    const res = await cli('deliveries', 'ls', '--status', 'coalesced', '--json')
    expect(res).toMatchObject({ code: 0, stderr: '' })
    expect(JSON.parse(res.stdout)).toEqual([])
  })

  it('lists at most --limit deliveries', async () => {
    await destinationWithDelivery(200)
    await publish(server, key)
    await publish(server, key)
    const res = await cli('deliveries', 'ls', '--limit', '2', '--json')
    expect(JSON.parse(res.stdout)).toHaveLength(2)
  })

  it('shows a delivery with its attempts and retries it', async () => {
    const { deliveryId } = await destinationWithDelivery(500)
    const shown = await cli('deliveries', 'show', deliveryId)
    expect(shown.stdout).toMatch(/Status\s+failed/)
    expect(shown.stdout).toMatch(/\n1\s+\S+ \S+\s+failed\s+500\s+\d+ ms\s+http_status/)
    app.answer(statuses(200))
    const delivered = waitForDispatch(
      server.engine.dispatcher,
      'delivered',
      (e) => e.deliveryId === deliveryId,
      dispatchWaitMs,
    )
    const retried = await cli('deliveries', 'retry', deliveryId)
    expect(retried.stdout).toBe(`Retrying ${deliveryId}: pending, attempt 2 next.\n`)
    await delivered
    const after = JSON.parse((await cli('deliveries', 'show', deliveryId, '--json')).stdout)
    expect(after).toMatchObject({ status: 'succeeded', attempts: [{ number: 1 }, { number: 2 }] })
  })

  it('answers an unknown delivery with one not_found line and exit 1', async () => {
    const res = await cli('deliveries', 'show', '0192f0c4-0000-7000-8000-000000000000')
    expect(res.code).toBe(1)
    expect(res.stderr).toMatch(/^switchyard: not_found: No delivery \S+ in this project\.\n$/)
  })
})
