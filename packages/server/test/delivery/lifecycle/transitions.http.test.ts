import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMailer, storeWithDeliveries } from '../../../src/delivery/index.ts'
import {
  changeState,
  transition,
  type Cause,
  type DestinationState,
} from '../../../src/delivery/lifecycle/index.ts'
import { transitions } from '../../../src/delivery/lifecycle/states.ts'
import { createPublisher, type Publisher } from '../../../src/events/index.ts'
import { withTransaction } from '../../../src/store/index.ts'
import { createClock } from '../../helpers/clock.ts'
import { startTestServer, type TestServer } from '../../helpers/server.ts'
import { startSmtpReceiver, type SmtpReceiver } from '../../destinations/smtp-receiver.ts'
import { createDestination, noPoll } from '../fixtures.ts'

const clock = createClock()
let server: TestServer
let smtp: SmtpReceiver
let key: string
let projectId: string

beforeAll(async () => {
  smtp = await startSmtpReceiver()
  server = await startTestServer({ now: clock.now, config: { ...noPoll, smtpUrl: smtp.url } })
  ;({ apiKey: key, projectId } = await server.createProject('Acme'))
})
afterAll(async () => {
  await server.close()
  await smtp.stop()
})

const publisher = () =>
  createPublisher({ store: storeWithDeliveries({ now: clock.now }), now: clock.now })
const lifecycle = (p: Publisher = publisher()) => ({
  db: server.engine.db,
  publisher: p,
  mailer: createMailer({ smtpUrl: smtp.url, from: 'switchyard@localhost', now: clock.now }),
  now: clock.now,
})

const causes: Cause[] = [
  { kind: 'admin_enable' },
  { kind: 'admin_disable', reason: 'maintenance' },
  { kind: 'gone', reason: 'the receiver answered 410 Gone' },
  { kind: 'failing', reason: '5 attempts in a row failed' },
  { kind: 'probe_ok', status: 200 },
  { kind: 'probe_gone' },
  { kind: 'probe_failed', status: 503, error: 'HTTP 503' },
]

/** A destination in `state`, reached the way the engine reaches it. */
async function destinationIn(state: DestinationState, body: Record<string, unknown> = {}) {
  const dest = await createDestination(server, key, {
    url: 'http://127.0.0.1:9/x',
    events: ['record.created'],
    ...body,
  })
  if (state === 'disabled') await server.api('POST', `/v1/destinations/${dest.id}/disable`, { key })
  if (state === 'paused')
    await changeState(lifecycle(), dest.id, { kind: 'failing', reason: 'set up' })
  return dest.id as string
}

async function observe(id: string) {
  const read = await server.api('GET', `/v1/destinations/${id}`, { key })
  const { rows } = await sql<{ timeline: number; announced: number }>`
    select (select count(*)::int from destination_timeline where destination_id = ${id}) as timeline,
           (select count(*)::int from events where project_id = ${projectId}
              and type = 'destination.disabled' and data ->> 'destinationId' = ${id}) as announced`.execute(
    server.engine.db.kysely,
  )
  return { status: read.body.status as DestinationState, ...rows[0]! }
}

describe.each(['enabled', 'paused', 'disabled'] as const)('a %s destination', (from) => {
  it.each(causes.map((c) => [c.kind, c] as const))(
    'follows the state table on %s',
    async (_, cause) => {
      const id = await destinationIn(from)
      const before = await observe(id)
      const step = transitions[from][cause.kind]
      const done = await changeState(lifecycle(), id, cause)
      const after = await observe(id)
      if (!step) {
        expect(done).toBeNull()
        expect(after).toEqual(before)
        return
      }
      expect(done).toMatchObject({ from, to: step.to })
      expect(after.status).toBe(step.to)
      expect(after.timeline - before.timeline).toBe(step.timeline ? 1 : 0)
      expect(after.announced - before.announced).toBe(step.announce ? 1 : 0)
    },
  )
})

describe('one transaction', () => {
  it('leaves the state unchanged when destination.disabled cannot be published', async () => {
    const id = await destinationIn('enabled')
    const working = publisher()
    const failing: Publisher = {
      ...working,
      publish: async () => {
        throw new Error('the store refused the event')
      },
    }
    const before = await observe(id)
    const gone: Cause = { kind: 'gone', reason: 'the receiver answered 410 Gone' }
    await expect(changeState(lifecycle(failing), id, gone)).rejects.toThrow('refused')
    expect(await observe(id)).toEqual(before)
    expect(before.status).toBe('enabled')
  })

  it('publishes destination.disabled with the disable, to the other destinations only', async () => {
    const monitoring = { format: 'monitoring', events: ['destination_disabled'] }
    const id = await destinationIn('enabled', monitoring)
    const other = await destinationIn('disabled', monitoring)
    const gone: Cause = { kind: 'gone', reason: 'the receiver answered 410 Gone' }
    await withTransaction(server.engine.db.kysely, (tx) =>
      transition(tx, id, gone, clock.now(), { publisher: publisher() }),
    )
    const { rows } = await sql<{ destination_id: string }>`
      select d.destination_id from deliveries d join events e on e.id = d.event_id
      where e.type = 'destination.disabled' and e.data ->> 'destinationId' = ${id}`.execute(
      server.engine.db.kysely,
    )
    expect(await observe(id)).toMatchObject({ status: 'disabled', announced: 1 })
    expect(rows.map((r) => r.destination_id)).toEqual([other])
  })
})

describe('contact email', () => {
  it('is sent from the timeline entry when the process died after the commit', async () => {
    const id = await destinationIn('enabled', { contactEmail: 'oncall@acme.test' })
    const failing: Cause = { kind: 'failing', reason: '5 attempts in a row failed' }
    // The transition commits; its caller never gets to send the email.
    await withTransaction(server.engine.db.kysely, (tx) =>
      transition(tx, id, failing, clock.now(), { publisher: publisher() }),
    )
    const before = smtp.messages.length
    expect(await server.engine.prober.sendOwedEmails()).toBe(1)
    const [mail] = (await smtp.waitForMessages(before + 1)).slice(before)
    expect(mail!.subject).toMatch(/are paused$/)
    expect(mail!.text).toContain('Reason: 5 attempts in a row failed')
    expect(await server.engine.prober.sendOwedEmails()).toBe(0)
  })
})
