import { describe, expect, it } from 'vitest'
import { renderWireFormat } from '../../src/catalog/index.ts'
import { readSeed, seedOptions, workspaceCases } from './golden-cases.ts'
import { sampleEvent } from '../../src/catalog/index.ts'

const options = { publicUrl: 'https://switchyard.example.com' }

describe('workspace golden bodies', () => {
  for (const { fixture, event } of workspaceCases) {
    it(`renders ${fixture} equal to the fixture, key order included`, () => {
      const body = renderWireFormat('workspace', event, seedOptions)
      expect(body).toStrictEqual(readSeed(fixture))
      expect(JSON.stringify(body)).toBe(JSON.stringify(readSeed(fixture)))
    })
  }
})

describe('workspace rendering', () => {
  it('returns null for a type the format has no name for', () => {
    expect(renderWireFormat('workspace', sampleEvent('sync.errored'), options)).toBeNull()
  })

  it('renders null diff and data when an update carries neither', () => {
    const event = sampleEvent('record.updated')
    event.data = { syncId: 'sync_1', model: 'files', recordId: 'rec_1' }
    expect(renderWireFormat('workspace', event, options)).toMatchObject({
      payload: { id: 'cred_1', resource_id: 'rec_1', type: 'files', diff: null, data: null },
    })
  })

  it('renders empty metadata when integration_installed has none', () => {
    expect(
      renderWireFormat('workspace', sampleEvent('integration.installed'), options),
    ).toMatchObject({
      event: 'integration_installed',
      payload: { id: 'cred_1', connector_type: 'slack', metadata: {}, state: 'state_1' },
    })
  })

  it('renders null customer_id and state when the event has no user or state', () => {
    const event = { ...sampleEvent('credential.fixed'), userId: undefined, state: null }
    expect(renderWireFormat('workspace', event, options)).toStrictEqual({
      workspace_id: 'proj_1',
      customer_id: null,
      event: 'integration_oauth_token_fixed',
      state: null,
      payload: { id: 'cred_1' },
    })
  })
})
