import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createDestination,
  listDeliveries,
  noPoll,
  publish,
  recordCreated,
  workflowFailedWith,
} from '../delivery/fixtures.ts'
import { startReceiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

/*
 * Issue #28 item 1: a destination filters on whom an event is about and on its payload, in the
 * fan-out's insert; an event that does not match makes no delivery row for it.
 */

let server: TestServer
let key: string
const hook = 'https://hooks.example.com/filters'

beforeAll(async () => {
  server = await startTestServer({ config: noPoll })
  key = (await server.createProject('Filters')).apiKey
})
afterAll(() => server.close())

/** Publishes each event and says, per event, whether `destinationId` got a delivery for it. */
async function deliveredTo(destinationId: string, events: Record<string, unknown>[]) {
  const results: boolean[] = []
  for (const event of events) {
    const eventId = await publish(server, key, event)
    const rows = await listDeliveries(
      server,
      key,
      `eventId=${eventId}&destinationId=${destinationId}`,
    )
    results.push(rows.length === 1)
  }
  return results
}

const failed = (error: string, extra: Record<string, unknown> = {}) => ({
  ...workflowFailedWith({ error }),
  ...extra,
})

describe('filters on whom the event is about', () => {
  it('userId, credentialId and integration each keep out the events of others', async () => {
    const byUser = await createDestination(server, key, {
      url: hook,
      events: ['workflow.failed'],
      filter: { userId: 'user_a' },
    })
    const byCredential = await createDestination(server, key, {
      url: hook,
      events: ['workflow.failed'],
      filter: { credentialId: 'cred_a' },
    })
    const byIntegration = await createDestination(server, key, {
      url: hook,
      events: ['workflow.failed'],
      filter: { integration: 'hubspot' },
    })
    expect(byUser.filter).toEqual({
      userId: 'user_a',
      credentialId: null,
      integration: null,
      payload: null,
    })
    const events = [
      failed('x', { userId: 'user_a', credentialId: 'cred_a', integration: 'hubspot' }),
      failed('x', { userId: 'user_b', credentialId: 'cred_b', integration: 'slack' }),
    ]
    expect(await deliveredTo(byUser.id, events)).toEqual([true, false])
    expect(await deliveredTo(byCredential.id, events)).toEqual([true, false])
    expect(await deliveredTo(byIntegration.id, events)).toEqual([true, false])
  })

  it("matches the user of the event's credential when the event names only the credential", async () => {
    const put = await server.api('PUT', '/v1/credentials/cred_owned', {
      key,
      body: { userId: 'user_owner', integration: 'notion' },
    })
    expect(put.status, JSON.stringify(put.body)).toBeLessThan(300)
    const dest = await createDestination(server, key, {
      url: hook,
      events: ['workflow.failed'],
      filter: { userId: 'user_owner', integration: 'notion' },
    })
    const onlyCredential = { ...failed('x'), userId: undefined, integration: undefined }
    const event = { ...onlyCredential, credentialId: 'cred_owned' }
    const other = { ...onlyCredential, credentialId: 'cred_elsewhere' }
    expect(await deliveredTo(dest.id, [event, other])).toEqual([true, false])
  })
})

describe('payload filters', () => {
  it('compare, combine and test existence over the standard body', async () => {
    const dest = await createDestination(server, key, {
      url: hook,
      events: ['workflow.failed'],
      filter: {
        payload:
          '($.data.error in ["boom", "bang"] or $.data.step.startTime > 100) and ' +
          'not ($.integration == "hubspot") and exists($.data.workflow.name) and ' +
          "$['type'] != 'nope'",
      },
    })
    expect(dest.filter.payload).toContain('$.data.error in')
    const step = { id: 's', instanceId: 'i', startTime: 50, endTime: 60 }
    const results = await deliveredTo(dest.id, [
      failed('boom', { integration: 'slack' }),
      failed('other', { integration: 'slack' }), // startTime 1729629642606 > 100
      { ...failed('other', { integration: 'slack' }), data: { ...failed('other').data, step } },
      failed('boom', { integration: 'hubspot' }),
    ])
    expect(results).toEqual([true, true, false, false])
  })

  it('a comparison of different types does not match, nor does its negation', async () => {
    const dest = await createDestination(server, key, {
      url: hook,
      events: ['workflow.failed'],
      filter: { payload: 'not ($.data.error > 5)' },
    })
    expect(await deliveredTo(dest.id, [failed('text')])).toEqual([false])
  })

  it('applies to every event type the destination takes', async () => {
    const dest = await createDestination(server, key, {
      url: hook,
      events: ['record.created', 'workflow.failed'],
      filter: { payload: '$.data.model == "files"' },
    })
    expect(await deliveredTo(dest.id, [recordCreated, failed('x')])).toEqual([true, false])
  })

  it('a patch replaces the filter, and null clears it', async () => {
    const dest = await createDestination(server, key, {
      url: hook,
      events: ['workflow.failed'],
      filter: { payload: '$.data.error == "a"' },
    })
    const patched = await server.api('PATCH', `/v1/destinations/${dest.id}`, {
      key,
      body: { filter: { payload: '$.data.error == "b"' } },
    })
    expect(patched.status).toBe(200)
    expect(await deliveredTo(dest.id, [failed('a'), failed('b')])).toEqual([false, true])
    const kept = await server.api('PATCH', `/v1/destinations/${dest.id}`, {
      key,
      body: { name: 'renamed' },
    })
    expect(kept.body.filter.payload).toBe('$.data.error == "b"')
    const cleared = await server.api('PATCH', `/v1/destinations/${dest.id}`, {
      key,
      body: { filter: null },
    })
    expect(cleared.body.filter.payload).toBeNull()
    expect(await deliveredTo(dest.id, [failed('a')])).toEqual([true])
  })
})

describe('an invalid expression', () => {
  const cases: [string, number, string][] = [
    ['$.data.amount >', 16, 'expected a string'],
    ['$..amount > 1', 2, 'recursive descent'],
    ['$.data.* == 1', 8, 'wildcards'],
    ['$.data.error == "open', 17, 'not closed'],
    ['$.data.error = 1', 14, 'unexpected character'],
    ['amount > 1', 1, 'unknown word'],
    ['$.a == 1 and', 13, 'expected a path'],
    ['$.a == 1 $.b == 2', 10, 'expected and, or'],
    ['('.repeat(40) + '$.a == 1' + ')'.repeat(40), 34, 'nests deeper'],
  ]
  it.each(cases)(
    '%s is refused with 400 invalid_filter at column %i',
    async (payload, column, message) => {
      const res = await server.api('POST', '/v1/destinations', {
        key,
        body: { url: hook, events: ['workflow.failed'], filter: { payload } },
      })
      expect(res.status).toBe(400)
      expect(res.body.error.code).toBe('invalid_filter')
      expect(res.body.error.message).toContain(`column ${column}`)
      expect(res.body.error.details).toEqual([
        expect.objectContaining({ path: '/filter/payload', column, offset: column - 1 }),
      ])
      expect(res.body.error.details[0].message).toContain(message)
    },
  )

  it('is refused on a patch too, and the stored filter stays', async () => {
    const dest = await createDestination(server, key, {
      url: hook,
      events: ['workflow.failed'],
      filter: { payload: '$.data.error == "a"' },
    })
    const res = await server.api('PATCH', `/v1/destinations/${dest.id}`, {
      key,
      body: { filter: { payload: '$.data.error ==' } },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_filter')
    const read = await server.api('GET', `/v1/destinations/${dest.id}`, { key })
    expect(read.body.filter.payload).toBe('$.data.error == "a"')
  })
})

describe('test sends', () => {
  it('reach a filtered destination whatever its filter, and make no delivery row', async () => {
    const target = await startReceiver()
    try {
      const dest = await createDestination(server, key, {
        url: target.url,
        events: ['workflow.failed'],
        filter: { userId: 'nobody', payload: '$.data.error == "never"' },
      })
      const res = await server.api('POST', `/v1/destinations/${dest.id}/test`, { key })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      expect(res.body.outcome).toBe('delivered')
      expect(target.requests).toHaveLength(1)
      expect(await listDeliveries(server, key, `destinationId=${dest.id}`)).toEqual([])
    } finally {
      await target.close()
    }
  })
})
