import { describe, expect, it } from 'vitest'
import { renderWireFormat } from '../../src/catalog/index.ts'
import { managedSyncCases, readSeed, seedOptions } from './golden-cases.ts'
import { sampleEvent } from '../../src/catalog/index.ts'

const options = { publicUrl: 'https://switchyard.example.com' }

describe('managed-sync golden bodies', () => {
  for (const { fixture, event } of managedSyncCases) {
    it(`renders ${fixture} equal to the seed example`, () => {
      expect(renderWireFormat('managed-sync', event, seedOptions)).toStrictEqual(readSeed(fixture))
    })

    it(`renders ${fixture} with the seed's key order`, () => {
      const body = renderWireFormat('managed-sync', event, seedOptions) as Record<string, unknown>
      const seed = readSeed(fixture) as Record<string, unknown>
      expect(Object.keys(body)).toEqual(Object.keys(seed))
      // The whole text, nested objects included (record_deleted orders its data differently).
      expect(JSON.stringify(body)).toBe(JSON.stringify(seed))
    })
  }
})

describe('managed-sync rendering', () => {
  it('returns null for a type the format has no name for', () => {
    expect(renderWireFormat('managed-sync', sampleEvent('workflow.failed'), options)).toBeNull()
  })

  it('renders webhook.test as the bare webhook_verification ping, without envelope', () => {
    expect(renderWireFormat('managed-sync', sampleEvent('webhook.test'), options)).toStrictEqual({
      event: 'webhook_verification',
    })
  })

  it('appends the error code to record_errored and leaves out a missing recordId', () => {
    const body = renderWireFormat('managed-sync', sampleEvent('record.errored'), options)
    expect(body).toMatchObject({
      error: { message: 'Failed to download content', model: 'files', code: '10005' },
    })
    expect(Object.keys((body as { error: object }).error)).toEqual(['message', 'model', 'code'])
  })

  it('renders nulls for context the event lacks', () => {
    const event = {
      ...sampleEvent('record.created'),
      userId: null,
      credentialId: undefined,
      integration: null,
    }
    expect(renderWireFormat('managed-sync', event, options)).toMatchObject({
      sync: null,
      credentialId: null,
      user: { id: null },
    })
  })

  it('forwards trigger.received as the inbound event body', () => {
    expect(
      renderWireFormat('managed-sync', sampleEvent('trigger.received'), options),
    ).toStrictEqual({
      eventId: 'evt_trigger_received',
      userId: 'user_1',
      integration: 'slack',
      trigger: 'message_posted',
      credentialId: 'cred_1',
      projectId: 'proj_1',
      dateReceived: '2025-07-07T19:00:01.000Z',
      payload: { type: 'event_callback', team_id: 'T123' },
      headers: { 'content-type': 'application/json', 'x-slack-signature': 'v0=abc' },
    })
  })
})
