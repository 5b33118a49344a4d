import { pino } from 'pino'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import {
  createMailer,
  Dispatcher,
  type DispatcherEvents,
  type DispatcherOptions,
  type Sender,
  storeWithDeliveries,
} from '../../src/delivery/index.ts'
import { createPublisher } from '../../src/events/index.ts'
import { createSecretBox } from '../../src/secrets/index.ts'
import { createClock } from '../helpers/clock.ts'
import { startReceiver, statuses, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, testSecretKey, type TestServer } from '../helpers/server.ts'

/**
 * Test servers poll once an hour: every test must be woken by NOTIFY (or by the test itself
 * after moving the clock), never by the fallback poll.
 */
export const noPoll = { deliveryPollMs: 3_600_000 }

/** Retry steps without jitter, so time-travel tests know when the next attempt is due. */
export const exactSchedule = { deliveryJitter: 0 }

/** A record.created event as a sync worker publishes it (seed: managed-sync record_created). */
export const recordCreated = {
  type: 'record.created',
  userId: 'user_01JH448D13EX2BE1SC1GXVT05R',
  credentialId: '0aea7d3a-b5f7-4488-890e-d51a5cf4f8f1',
  integration: 'googledrive',
  data: {
    syncId: '163a345e-2dd4-51ff-bcf5-7667de564bb0',
    model: 'files',
    recordId: '3ce16e33-0163-564d-98ce-99b0a25ab375',
  },
}

/**
 * A workflow.failed event as the platform publishes it, carrying what the Event Destinations
 * document's workflow_failure example shows (seed 002).
 */
export const workflowFailed = {
  type: 'workflow.failed',
  userId: '<User ID>',
  credentialId: '57a96b31-c69e-421a-bb32-7a25f9c6a893',
  integration: 'slack',
  occurredAt: '2024-10-22T20:40:42.607Z',
  data: {
    workflow: { id: 'cae72d65-7fc6-4249-9047-48fc640bfd46', name: 'Test Workflow Name' },
    execution: { id: '07911c9b-2006-4348-938b-b7ebac94dc1f' },
    step: {
      id: '3507a59f-d552-45a5-8bca-ed5315111ca0',
      instanceId: '45ab5c3d-5ad3-46a0-9b79-692b4c06520d',
      startTime: 1729629642606,
      endTime: 1729629642606,
    },
    error: 'Test error message',
  },
}

/** workflowFailed with its error (or other data) replaced. */
export function workflowFailedWith(data: Record<string, unknown>): typeof workflowFailed {
  return { ...workflowFailed, data: { ...workflowFailed.data, ...data } }
}

/** Creates a destination over HTTP and returns the API's answer (with its secret). */
export async function createDestination(
  server: TestServer,
  key: string,
  body: Record<string, unknown>,
): Promise<{ id: string; secret: string } & Record<string, any>> {
  const res = await server.api('POST', '/v1/destinations', { key, body })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

/** Publishes an event over HTTP and returns its id. */
export async function publish(
  server: TestServer,
  key: string,
  event: Record<string, unknown> = recordCreated,
): Promise<string> {
  const res = await server.api('POST', '/v1/events', { key, body: event })
  expect(res.status, JSON.stringify(res.body)).toBe(202)
  return res.body.id
}

/** Creates a key with `role` in the project of `adminKey`. */
export async function keyWithRole(
  server: TestServer,
  adminKey: string,
  role: 'viewer' | 'member' | 'admin',
): Promise<string> {
  const res = await server.api('POST', '/v1/api-keys', {
    key: adminKey,
    body: { name: `${role} key`, role },
  })
  expect(res.status).toBe(201)
  return res.body.key
}

/** The deliveries of a project matching a query string, newest first. */
export async function listDeliveries(
  server: TestServer,
  key: string,
  query: string,
): Promise<Record<string, any>[]> {
  const res = await server.api('GET', `/v1/deliveries?${query}`, { key })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body.data
}

/**
 * Resolves with the first `count` dispatcher events of `name` that match, or rejects after
 * `timeoutMs`. Subscribe before causing them.
 */
export function collectDispatch<K extends keyof DispatcherEvents>(
  dispatcher: Dispatcher,
  name: K,
  matches: (event: DispatcherEvents[K][0]) => boolean,
  count: number,
  timeoutMs = 5000,
): Promise<DispatcherEvents[K][0][]> {
  return new Promise((resolve, reject) => {
    const seen: DispatcherEvents[K][0][] = []
    const listener = (event: DispatcherEvents[K][0]) => {
      if (!matches(event)) return
      seen.push(event)
      if (seen.length < count) return
      cleanup()
      resolve(seen)
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(
        new Error(`saw ${seen.length} of ${count} "${String(name)}" events in ${timeoutMs} ms`),
      )
    }, timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      dispatcher.events.off(name, listener as never)
    }
    dispatcher.events.on(name, listener as never)
  })
}

/**
 * A dispatcher of its own over the test server's store, for an API-only engine (role api)
 * whose own dispatcher never starts.
 */
export function standaloneDispatcher(
  server: TestServer,
  deps: { now: () => Date; sender: Sender },
  options: Partial<DispatcherOptions> = {},
): Dispatcher {
  return new Dispatcher({
    db: server.engine.db,
    publisher: createPublisher({ store: storeWithDeliveries({ now: deps.now }), now: deps.now }),
    log: pino({ level: 'silent' }),
    now: deps.now,
    sender: deps.sender,
    mailer: createMailer({ smtpUrl: null, from: 'switchyard@localhost', now: deps.now }),
    publicUrl: server.url,
    box: createSecretBox({ secretKey: testSecretKey, dataDir: '', embedded: false }),
    options,
  })
}

/**
 * What most delivery test files share: one server for the file on a pinned clock (exact schedule,
 * no poll), and receivers that close after each test. `server` is filled in before the first test.
 * @example const { clock, server, dispatcher, receiver } = dispatchHarness()
 */
export function dispatchHarness() {
  const clock = createClock()
  const server = {} as TestServer
  const receivers: Receiver[] = []
  beforeAll(async () => {
    Object.assign(
      server,
      await startTestServer({ now: clock.now, config: { ...exactSchedule, ...noPoll } }),
    )
  })
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()))
  })
  afterAll(() => server.close())
  return {
    clock,
    server,
    dispatcher: () => server.engine.dispatcher,
    /** A receiver answering `codes` in turn (the last from then on), or 200 to everything. */
    receiver: async (...codes: number[]): Promise<Receiver> => {
      const r = await startReceiver(codes.length > 0 ? statuses(...codes) : undefined)
      receivers.push(r)
      return r
    },
  }
}
