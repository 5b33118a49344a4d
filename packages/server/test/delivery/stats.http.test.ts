import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReceiver, statuses, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { createDestination, keyWithRole, listDeliveries, publish } from './fixtures.ts'

let server: TestServer
let receiver: Receiver
beforeAll(async () => {
  server = await startTestServer({ config: { deliveryJitter: 0 } })
  receiver = await startReceiver()
})
afterAll(async () => {
  await server.close()
  await receiver.close()
})

const stats = async (key: string, query = '') => {
  const res = await server.api('GET', `/v1/stats${query}`, { key })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

describe('GET /v1/stats', () => {
  it("counts a window's deliveries, the attempts' own latency and the first success's apart", async () => {
    const { apiKey: key } = await server.createProject()
    await server.api('PUT', '/v1/settings', { key, body: { retrySchedule: [1] } })
    const dest = await createDestination(server, key, {
      url: receiver.url,
      events: ['record.created'],
    })
    receiver.answer(statuses(500, 200))
    await publish(server, key)
    await publish(server, key)
    const succeeded = () =>
      waitFor(async () => {
        const rows = await listDeliveries(server, key, `destinationId=${dest.id}`)
        return rows.length === 2 && rows.every((d: any) => d.status === 'succeeded')
          ? rows
          : undefined
      }, 60_000)
    const [delivery] = await succeeded()

    const first = await stats(key, `?destinationId=${dest.id}`)
    for (const window of ['1h', '24h']) {
      expect(first.windows[window].deliveries).toMatchObject({ total: 2, succeeded: 2, failed: 0 })
      expect(first.windows[window].successRate).toBe(1)
      expect(first.windows[window].attemptMs.count).toBe(3)
      expect(first.windows[window].firstSuccessMs.count).toBe(2)
    }
    expect(first.destinations).toEqual([
      {
        destinationId: dest.id,
        windows: { '1h': first.windows['1h'], '24h': first.windows['24h'] },
      },
    ])
    expect(first.backlog).toEqual({ pending: 0, due: 0, held: 0, oldestDueSeconds: 0 })

    // A replay adds an attempt, not a first success: an old delivery sent again does not
    // count its age as latency.
    const retried = await server.api('POST', `/v1/deliveries/${delivery!.id}/retry`, { key })
    expect(retried.status).toBe(202)
    await waitFor(async () => {
      const now = await stats(key, `?destinationId=${dest.id}`)
      return now.windows['1h'].attemptMs.count === 4 ? now : undefined
    }, 60_000)
    const after = await stats(key, `?destinationId=${dest.id}`)
    expect(after.windows['1h'].firstSuccessMs).toEqual(first.windows['1h'].firstSuccessMs)
  }, 120_000)

  it("shows the backlog of a project's held deliveries, and nothing of another project's", async () => {
    const { apiKey: key } = await server.createProject()
    const dest = await createDestination(server, key, {
      url: receiver.url,
      events: ['record.created'],
    })
    await server.api('POST', `/v1/destinations/${dest.id}/disable`, { key, body: { reason: 'x' } })
    await publish(server, key)
    const viewer = await keyWithRole(server, key, 'viewer')
    const held = await waitFor(async () => {
      const now = await stats(viewer)
      return now.backlog.held === 1 ? now : undefined
    }, 30_000)
    expect(held.windows['1h'].deliveries).toMatchObject({ total: 1, held: 1 })
    expect(held.windows['1h'].successRate).toBeNull()

    const { apiKey: other } = await server.createProject()
    const theirs = await stats(other)
    expect(theirs.windows['24h'].deliveries.total).toBe(0)
    expect(theirs.backlog.held).toBe(0)
    expect(theirs.destinations).toEqual([])
  }, 120_000)
})
