/*
 * One valid event per canonical type, with full context, for tests that sweep every type.
 */
import type { CanonicalType, CatalogEvent } from './types.ts'

const sampleData: Record<CanonicalType, Record<string, unknown>> = {
  'sync.completed': {
    syncId: 'sync_1',
    model: 'files',
    syncedAt: '2025-07-07T19:00:00.000Z',
    numRecords: 3,
  },
  'sync.errored': {
    syncId: 'sync_1',
    code: '10004',
    message: 'Job stalled more than allowable limit',
  },
  'record.created': { syncId: 'sync_1', model: 'files', recordId: 'rec_1', externalId: 'ext_1' },
  'record.updated': {
    syncId: 'sync_1',
    model: 'files',
    recordId: 'rec_1',
    diff: [{ op: 'replace', path: '/name', value: 'new', oldValue: 'old' }],
    record: { name: 'new' },
  },
  'record.deleted': { syncId: 'sync_1', model: 'files', recordId: 'rec_1' },
  'record.errored': {
    syncId: 'sync_1',
    model: 'files',
    code: '10005',
    message: 'Failed to download content',
  },
  'integration.installed': {},
  'credential.failed': { error: 'invalid_grant' },
  'credential.fixed': {},
  'workflow.failed': {
    workflow: { id: 'wf_1', name: 'Sync contacts' },
    execution: { id: 'exec_1' },
    error: 'Request failed with status code 500',
  },
  'webhook.test': {},
  'trigger.received': {
    triggerId: 'trg_1',
    trigger: 'message_posted',
    inboundRequestId: 'inb_1',
    payload: { type: 'event_callback', team_id: 'T123' },
    headers: { 'content-type': 'application/json', 'x-slack-signature': 'v0=abc' },
  },
  'trigger.failed': {
    triggerId: 'trg_1',
    trigger: 'message_posted',
    inboundRequestId: 'inb_1',
    reason: 'routing failed 5 times: trigger routing path does not parse',
    attempts: 5,
  },
  'destination.disabled': {
    destinationId: 'dst_1',
    reason: 'Every delivery failed for 5 days (27 in a row).',
    url: 'https://hooks.example.com/switchyard',
  },
}

/** A complete, valid event of the given type. */
export function sampleEvent(type: CanonicalType): CatalogEvent {
  return {
    id: `evt_${type.replace('.', '_')}`,
    type,
    occurredAt: new Date('2025-07-07T19:00:01.000Z'),
    data: structuredClone(sampleData[type]),
    project: { id: 'proj_1', name: 'Acme' },
    userId: 'user_1',
    userMetadata: { plan: 'pro' },
    credentialId: 'cred_1',
    integration: { id: 'int_1', type: 'slack', name: 'Slack' },
    state: 'state_1',
  }
}
