import { describe, expect, it } from 'vitest'
import { canonicalTypes, renderWireFormat } from '../../src/catalog/index.ts'
import { sampleEvent } from '../../src/catalog/index.ts'

const options = { publicUrl: 'https://switchyard.example.com' }

describe('standard rendering', () => {
  it('renders id, canonical type, ISO timestamp and the stored data', () => {
    const event = sampleEvent('record.created')
    expect(renderWireFormat('standard', event, options)).toStrictEqual({
      id: 'evt_record_created',
      type: 'record.created',
      timestamp: '2025-07-07T19:00:01.000Z',
      data: { syncId: 'sync_1', model: 'files', recordId: 'rec_1', externalId: 'ext_1' },
    })
  })

  it('renders every canonical type', () => {
    for (const type of canonicalTypes) {
      expect(renderWireFormat('standard', sampleEvent(type), options)).not.toBeNull()
    }
  })
})
