import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { waitForDispatch } from '../../src/delivery/index.ts'
import { createDestination, noPoll, publish, recordCreated } from '../delivery/fixtures.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

/*
 * Issue #25 item 3: a subscription the destination's format cannot render is refused when it is
 * saved, instead of being accepted and silently never delivered.
 */

let server: TestServer
let key: string
const receivers: Receiver[] = []
const hook = 'https://hooks.example.com/switchyard'

beforeAll(async () => {
  server = await startTestServer({ config: noPoll })
  key = (await server.createProject('Acme')).apiKey
})
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})
afterAll(() => server.close())

const installed = { type: 'integration.installed', userId: 'user_1', data: {} }

describe('saving a filter the format cannot carry', () => {
  it('answers 400 event_not_in_format naming the type and the format', async () => {
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: {
        url: hook,
        format: 'managed-sync',
        events: ['record.created', 'integration.installed'],
      },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('event_not_in_format')
    expect(res.body.error.message).toContain('managed-sync')
    expect(res.body.error.message).toContain('integration.installed')
    expect(res.body.error.details).toEqual([
      {
        path: '/events/1',
        message:
          'managed-sync has no name for integration.installed (carried by workspace, standard)',
        name: 'integration.installed',
        type: 'integration.installed',
      },
    ])
    const list = await server.api('GET', '/v1/destinations', { key })
    expect(list.body.data.filter((d: { url: string }) => d.url === hook)).toEqual([])
  })

  it("refuses another format's name for a type this format lacks", async () => {
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: { url: hook, format: 'monitoring', events: ['integration_new_data_model'] },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.details).toMatchObject([
      { path: '/events/0', name: 'integration_new_data_model', type: 'record.created' },
    ])
  })

  it("accepts another format's name for a type this format carries", async () => {
    const created = await createDestination(server, key, {
      url: hook,
      format: 'managed-sync',
      events: ['integration_new_data_model'],
    })
    expect(created.events).toEqual(['integration_new_data_model'])
  })

  it('refuses a type named beside "*" when the format cannot carry it', async () => {
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: { url: hook, format: 'managed-sync', events: ['*', 'integration.installed'] },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('event_not_in_format')
  })

  it('refuses a preset (monitoring) subscribed to record events', async () => {
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: {
        events: ['record.created'],
        template: { preset: 'slack', url: 'https://hooks.slack.com/services/T0/B0/x' },
      },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toContain('The monitoring format has no name for record.created')
  })

  it('refuses an email destination (monitoring) subscribed to record events', async () => {
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: { type: 'email', to: ['ops@acme.test'], events: ['record.deleted'] },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('event_not_in_format')
  })

  it('refuses a patch that adds such a type, or changes to a format that lacks one', async () => {
    const dest = await createDestination(server, key, {
      url: hook,
      events: ['integration.installed'],
    })
    const events = await server.api('PATCH', `/v1/destinations/${dest.id}`, {
      key,
      body: { format: 'managed-sync' },
    })
    expect(events.status).toBe(400)
    expect(events.body.error.code).toBe('event_not_in_format')
    const format = await server.api('PATCH', `/v1/destinations/${dest.id}`, {
      key,
      body: { events: ['integration.installed', 'workflow.failed'], format: 'workspace' },
    })
    expect(format.status).toBe(400)
    expect(format.body.error.message).toContain('workflow.failed')
    const read = await server.api('GET', `/v1/destinations/${dest.id}`, { key })
    expect(read.body).toMatchObject({ format: 'standard', events: ['integration.installed'] })
  })

  it('refuses it in an unsaved test configuration too', async () => {
    const res = await server.api('POST', '/v1/destinations/test', {
      key,
      body: { url: hook, format: 'workspace', events: ['sync.errored'] },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('event_not_in_format')
  })
})

describe('"*" in a format', () => {
  it('means every type the format carries, and delivers exactly those', async () => {
    const receiver = await startReceiver()
    receivers.push(receiver)
    const dest = await createDestination(server, key, {
      url: receiver.url,
      format: 'managed-sync',
      events: ['*'],
    })
    const delivered = waitForDispatch(
      server.engine.dispatcher,
      'delivered',
      (e) => e.destinationId === dest.id,
    )
    await publish(server, key, installed)
    await publish(server, key, recordCreated)
    await delivered
    const deliveries = await server.api('GET', `/v1/deliveries?destinationId=${dest.id}`, { key })
    expect(deliveries.body.data.map((d: { eventType: string }) => d.eventType)).toEqual([
      'record.created',
    ])
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({ event: 'record_created' })
  })
})

describe('a destination saved before the check', () => {
  /** Writes a filter the API now refuses straight into the row, as an older version saved it. */
  async function legacyDestination(url: string): Promise<string> {
    const dest = await createDestination(server, key, {
      url,
      format: 'managed-sync',
      events: ['record.created'],
    })
    const filter = ['record.created', 'integration.installed']
    await sql`update destinations set event_filter = ${filter}::text[], event_types = ${filter}::text[]
      where id = ${dest.id}`.execute(server.engine.db.kysely)
    return dest.id
  }

  it('keeps delivering what its format carries', async () => {
    const receiver = await startReceiver()
    receivers.push(receiver)
    const id = await legacyDestination(receiver.url)
    const delivered = waitForDispatch(
      server.engine.dispatcher,
      'delivered',
      (e) => e.destinationId === id,
    )
    await publish(server, key, installed)
    await publish(server, key, recordCreated)
    await delivered
    expect(receiver.requests.map((r) => JSON.parse(r.body).event)).toEqual(['record_created'])
  })

  it('takes an edit that changes neither events nor format', async () => {
    const id = await legacyDestination(hook)
    const res = await server.api('PATCH', `/v1/destinations/${id}`, {
      key,
      body: { name: 'Renamed', timeoutMs: 5000 },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({
      name: 'Renamed',
      events: ['record.created', 'integration.installed'],
    })
  })

  it('is checked once its events are sent again', async () => {
    const id = await legacyDestination(hook)
    const res = await server.api('PATCH', `/v1/destinations/${id}`, {
      key,
      body: { events: ['record.created', 'integration.installed'] },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('event_not_in_format')
  })
})

describe('GET /v1/event-types', () => {
  it('lists the formats that carry each type', async () => {
    const res = await server.api('GET', '/v1/event-types', { key })
    const formatsOf = (type: string) =>
      res.body.data.find((row: { type: string }) => row.type === type).formats
    expect(formatsOf('integration.installed')).toEqual(['workspace', 'standard'])
    expect(formatsOf('record.created')).toEqual(['managed-sync', 'workspace', 'standard'])
    expect(formatsOf('webhook.test')).toEqual([
      'managed-sync',
      'workspace',
      'monitoring',
      'standard',
    ])
  })
})
