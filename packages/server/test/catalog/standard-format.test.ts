import { describe, expect, it } from 'vitest'
import { canonicalTypes, renderWireFormat } from '../../src/catalog/index.ts'
import { sampleEvent } from '../../src/catalog/index.ts'
import { readSeed, seedOptions, standardCases } from './golden-cases.ts'

const options = { publicUrl: 'https://switchyard.example.com' }

describe('standard golden bodies', () => {
  for (const { fixture, event } of standardCases) {
    it(`renders ${fixture} byte for byte`, () => {
      const body = renderWireFormat('standard', event, seedOptions)
      expect(JSON.stringify(body)).toBe(JSON.stringify(readSeed(fixture)))
    })
  }
})

describe('standard rendering', () => {
  it('renders id, canonical type, timestamp, whom it is about, then the stored data', () => {
    const event = sampleEvent('record.created')
    expect(renderWireFormat('standard', event, options)).toStrictEqual({
      id: 'evt_record_created',
      type: 'record.created',
      timestamp: '2025-07-07T19:00:01.000Z',
      projectId: 'proj_1',
      userId: 'user_1',
      credentialId: 'cred_1',
      integration: 'slack',
      data: { syncId: 'sync_1', model: 'files', recordId: 'rec_1', externalId: 'ext_1' },
    })
  })

  it('leaves out the user, credential and integration an event does not have', () => {
    const event = {
      ...sampleEvent('record.created'),
      userId: null,
      credentialId: undefined,
      integration: { id: 'int_1', type: null },
    }
    const body = renderWireFormat('standard', event, options) as Record<string, unknown>
    expect(Object.keys(body)).toEqual(['id', 'type', 'timestamp', 'projectId', 'data'])
  })

  it('renders every canonical type', () => {
    for (const type of canonicalTypes) {
      expect(renderWireFormat('standard', sampleEvent(type), options)).not.toBeNull()
    }
  })
})
