import { describe, expect, it } from 'vitest'
import { renderWireFormat } from '../../src/catalog/index.ts'
import {
  credentialsFailureCase,
  readSeed,
  seedOptions,
  workflowFailureCase,
} from './golden-cases.ts'
import { sampleEvent } from '../../src/catalog/index.ts'

const options = { publicUrl: 'https://switchyard.example.com/' }

describe('monitoring golden bodies', () => {
  it('renders the seed workflow_failure example byte for byte', () => {
    const body = renderWireFormat('monitoring', workflowFailureCase.event, seedOptions)
    const seed = readSeed(workflowFailureCase.fixture)
    expect(body).toStrictEqual(seed)
    expect(JSON.stringify(body)).toBe(JSON.stringify(seed))
  })

  it('quotes the workflow name with U+201C on both sides, as the seed does', () => {
    const body = renderWireFormat('monitoring', workflowFailureCase.event, seedOptions)
    expect((body as { message: string }).message).toBe(
      'Workflow \u201cTest Workflow Name\u201c failed for User <User ID>',
    )
  })

  it('renders the seed credentials_failure example in every field but timestampISO', () => {
    const body = renderWireFormat('monitoring', credentialsFailureCase.event, seedOptions)
    const seed = readSeed(credentialsFailureCase.fixture) as Record<string, unknown>
    // The seed's example is inconsistent: timestamp 1729629449422 is 2024-10-22T20:37:29.422Z,
    // but its timestampISO says 20:37:43.849Z (14.4 s later). We derive both from occurredAt,
    // so only timestampISO differs; the workflow_failure example's pair agrees.
    expect({ ...(body as object), timestampISO: null }).toStrictEqual({
      ...seed,
      timestampISO: null,
    })
    expect(Object.keys(body as object)).toEqual(Object.keys(seed))
  })

  it('derives timestampISO from timestamp', () => {
    const body = renderWireFormat('monitoring', credentialsFailureCase.event, seedOptions) as {
      timestamp: number
      timestampISO: string
    }
    expect(body.timestampISO).toBe(new Date(body.timestamp).toISOString())
  })
})

describe('monitoring rendering', () => {
  it('returns null for a type the format has no name for', () => {
    expect(renderWireFormat('monitoring', sampleEvent('record.created'), options)).toBeNull()
  })

  it('converts ISO step times to epoch milliseconds', () => {
    const event = sampleEvent('workflow.failed')
    const start = '2025-07-07T19:00:00.500Z'
    const end = '2025-07-07T19:00:00.900Z'
    event.data = {
      ...event.data,
      step: { id: 's1', instanceId: 'i1', startTime: start, endTime: end },
    }
    const body = renderWireFormat('monitoring', event, options) as { data: Record<string, unknown> }
    expect(body.data['stepExecution']).toStrictEqual({
      stepId: 's1',
      instanceId: 'i1',
      startTime: Date.parse(start),
      endTime: Date.parse(end),
    })
    expect(body.data['timestamp']).toBe(Date.parse(end))
  })

  it('uses occurredAt as data.timestamp when the failure has no step', () => {
    const event = sampleEvent('workflow.failed')
    const body = renderWireFormat('monitoring', event, options) as { data: Record<string, unknown> }
    expect(body.data['timestamp']).toBe(event.occurredAt.getTime())
    expect(body.data).not.toHaveProperty('stepExecution')
  })

  it('joins the execution URL to a public URL with a trailing slash', () => {
    const body = renderWireFormat('monitoring', sampleEvent('workflow.failed'), options) as {
      data: Record<string, unknown>
    }
    expect(body.data['executionUrl']).toBe(
      'https://switchyard.example.com/projects/proj_1/monitoring/workflows/wf_1/executions/exec_1',
    )
  })

  it('names the integration by its type when it has no name', () => {
    const event = { ...sampleEvent('credential.failed'), integration: { type: 'hubspot' } }
    const body = renderWireFormat('monitoring', event, options) as { message: string }
    expect(body.message).toBe(
      'Connected User \u201cuser_1\u201c credential for hubspot expired and can not be refreshed.',
    )
  })

  it('uses the credential id as integration.id when the integration has no id', () => {
    const event = { ...sampleEvent('credential.failed'), integration: { type: 'hubspot' } }
    expect(renderWireFormat('monitoring', event, options)).toMatchObject({
      integration: { id: 'cred_1', type: 'hubspot' },
    })
  })

  it('renders destination.disabled with the reason in the message', () => {
    const body = renderWireFormat('monitoring', sampleEvent('destination.disabled'), options)
    expect(body).toMatchObject({
      type: 'destination_disabled',
      message:
        'Destination https://hooks.example.com/switchyard was disabled: Every delivery failed for 5 days (27 in a row).',
      data: { destinationId: 'dst_1', reason: 'Every delivery failed for 5 days (27 in a row).' },
    })
    expect(body).not.toHaveProperty('workflow')
  })

  it('renders webhook.test with data {test: true}', () => {
    expect(renderWireFormat('monitoring', sampleEvent('webhook.test'), options)).toMatchObject({
      type: 'webhook_test',
      user: { id: 'user_1', metadata: { plan: 'pro' } },
      data: { test: true },
    })
  })
})
