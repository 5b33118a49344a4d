/*
 * The seed documents' examples (test/fixtures/seeds) and, for each, the canonical event that
 * must render to it. Shared by the per-format golden tests and the body-schema test. Fixtures
 * whose format has no seed example (the probe bodies, `standard`) are ours, written with the
 * seeds' values.
 */
import { readFileSync } from 'node:fs'
import type { CatalogEvent, RenderOptions, WireFormat } from '../../src/catalog/index.ts'

/** One seed example: the format, the event, and the fixture file it must render to. */
export interface GoldenCase {
  fixture: string
  format: WireFormat
  event: CatalogEvent
}

/** The seed's executionUrl starts with Paragon's dashboard URL. */
export const seedOptions: RenderOptions = { publicUrl: 'https://dashboard.useparagon.com/connect' }

/** Reads a seed fixture as parsed JSON. */
export function readSeed(fixture: string): unknown {
  const url = new URL(`../fixtures/seeds/${fixture}`, import.meta.url)
  return JSON.parse(readFileSync(url, 'utf8'))
}

const credentialId = '0aea7d3a-b5f7-4488-890e-d51a5cf4f8f1'
const userId = 'user_01JH448D13EX2BE1SC1GXVT05R'
const recordId = '3ce16e33-0163-564d-98ce-99b0a25ab375'
const occurredAt = new Date('2025-07-07T19:00:01.000Z')

function syncEvent(type: CatalogEvent['type'], data: Record<string, unknown>): CatalogEvent {
  return {
    id: `evt_${type}`,
    type,
    occurredAt,
    data,
    project: { id: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d', name: 'Acme' },
    userId,
    credentialId,
    integration: { id: 'int_googledrive', type: 'googledrive', name: 'Google Drive' },
    state: 'onboarding-7f3a9c',
  }
}

function managedSync(fixture: string, event: CatalogEvent): GoldenCase {
  return { fixture, format: 'managed-sync', event }
}

function workspace(fixture: string, event: CatalogEvent): GoldenCase {
  return { fixture, format: 'workspace', event }
}

const syncA = '163a345e-2dd4-51ff-bcf5-7667de564bb0'
const syncB = '0df4921d-0ac4-5c90-b30e-7a9da9c2d02f'

/** Seed 000: the six Managed Sync examples. */
export const managedSyncCases: GoldenCase[] = [
  managedSync(
    'managed-sync-sync-complete.json',
    syncEvent('sync.completed', {
      syncId: syncA,
      model: 'files',
      syncedAt: '2025-07-07T19:00:00.000Z',
      numRecords: 1000,
    }),
  ),
  managedSync(
    'managed-sync-sync-errored-credential.json',
    syncEvent('sync.errored', {
      syncId: 'f543fd08-5d36-56d7-bd5e-8306e82acb16',
      model: 'files',
      code: 'PROXY_7300',
      message: `Credential ID ${credentialId} is no longer valid or has been deleted.`,
    }),
  ),
  managedSync(
    'managed-sync-record-created.json',
    syncEvent('record.created', {
      syncId: syncA,
      model: 'files',
      recordId,
      externalId: '1Zp4kQ9xW2',
    }),
  ),
  managedSync(
    'managed-sync-record-updated.json',
    syncEvent('record.updated', {
      syncId: syncA,
      model: 'files',
      recordId,
      diff: [{ op: 'replace', path: '/name', value: 'b', oldValue: 'a' }],
      record: { name: 'b' },
    }),
  ),
  managedSync(
    'managed-sync-record-deleted.json',
    syncEvent('record.deleted', { syncId: syncB, model: 'files', recordId }),
  ),
  managedSync(
    'managed-sync-record-errored.json',
    syncEvent('record.errored', {
      syncId: syncB,
      model: 'files',
      recordId: '68c3e715-b466-544f-ba2a-165973d85a58',
      message: 'Request failed with status code 404',
    }),
  ),
]

const updatedRecord = {
  id: '1Zp4kQ9xW2',
  name: 'Q3 plan.docx',
  mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  starred: true,
}
const updateDiff = [
  { op: 'replace', path: '/name', value: 'Q3 plan.docx', oldValue: 'Q2 plan.docx' },
  { op: 'add', path: '/starred', value: true },
]

/** Seed 003: one envelope per workspace event, with values consistent with the reference. */
export const workspaceCases: GoldenCase[] = [
  workspace('workspace-webhook-test.json', syncEvent('webhook.test', {})),
  workspace(
    'workspace-integration-new-data-model.json',
    syncEvent('record.created', { syncId: syncA, model: 'files', recordId }),
  ),
  workspace(
    'workspace-integration-updated-data-model.json',
    syncEvent('record.updated', {
      syncId: syncA,
      model: 'files',
      recordId,
      diff: updateDiff,
      record: updatedRecord,
    }),
  ),
  workspace(
    'workspace-integration-deleted-data-model.json',
    syncEvent('record.deleted', { syncId: syncB, model: 'files', recordId }),
  ),
  workspace(
    'workspace-integration-installed.json',
    syncEvent('integration.installed', {
      metadata: { email: 'ada@example.com', domain: 'example.com' },
    }),
  ),
  workspace(
    'workspace-integration-import-done.json',
    syncEvent('sync.completed', {
      syncId: syncA,
      model: 'files',
      syncedAt: '2025-07-07T19:00:00.000Z',
      numRecords: 1000,
    }),
  ),
  workspace(
    'workspace-integration-cannot-refresh-oauth-token.json',
    syncEvent('credential.failed', { error: 'invalid_grant' }),
  ),
  workspace('workspace-integration-oauth-token-fixed.json', syncEvent('credential.fixed', {})),
]

const paragonProject = { id: '613b038f-e9bf-49ec-bc58-ba8d620754c7', name: 'Test Project Name' }
const slack = { id: '57a96b31-c69e-421a-bb32-7a25f9c6a893', type: 'slack' }

/** Seed 002: workflow_failure. */
export const workflowFailureCase: GoldenCase = {
  fixture: 'monitoring-workflow-failure.json',
  format: 'monitoring',
  event: {
    id: 'evt_workflow_failure',
    type: 'workflow.failed',
    occurredAt: new Date(1729629642607),
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
    project: paragonProject,
    userId: '<User ID>',
    userMetadata: {},
    credentialId: 'c2d1b0a9-0000-4000-8000-000000000001',
    integration: slack,
  },
}

/** Seed 002: credentials_failure (its timestampISO disagrees with its timestamp; see the test). */
export const credentialsFailureCase: GoldenCase = {
  fixture: 'monitoring-credentials-failure.json',
  format: 'monitoring',
  event: {
    id: 'evt_credentials_failure',
    type: 'credential.failed',
    occurredAt: new Date(1729629449422),
    data: { error: 'invalid_grant' },
    project: paragonProject,
    userId: '<User ID>',
    userMetadata: {},
    credentialId: 'c2d1b0a9-0000-4000-8000-000000000001',
    integration: { ...slack, name: '<Integration>' },
  },
}

/**
 * The test/probe event as `POST /v1/destinations/:id/test` and the prober of a paused
 * destination send it (delivery/lifecycle/test-send.ts): a project, no user, credential or sync.
 */
export const probeEvent: CatalogEvent = {
  id: '0197e5a2-3c1f-7d40-9b8e-2f6a1c0d4e53',
  type: 'webhook.test',
  occurredAt,
  data: {},
  project: { id: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d', name: 'Acme' },
}

/**
 * The probe body in every format. managed-sync's is the ping Paragon's own receiver answers 200
 * to (useparagon/managed-sync-s3-uploader, src/routes/webhooks.ts); the others are the seeds'
 * `webhook_test`.
 */
export const probeCases: GoldenCase[] = [
  { fixture: 'managed-sync-webhook-verification.json', format: 'managed-sync', event: probeEvent },
  { fixture: 'workspace-webhook-test-probe.json', format: 'workspace', event: probeEvent },
  { fixture: 'monitoring-webhook-test-probe.json', format: 'monitoring', event: probeEvent },
  { fixture: 'standard-webhook-test-probe.json', format: 'standard', event: probeEvent },
]

function standard(fixture: string, event: CatalogEvent): GoldenCase {
  return { fixture, format: 'standard', event }
}

/** The standard format, saying whom each event is about (absent where the event has no one). */
export const standardCases: GoldenCase[] = [
  standard(
    'standard-record-created.json',
    syncEvent('record.created', {
      syncId: syncA,
      model: 'files',
      recordId,
      externalId: '1Zp4kQ9xW2',
    }),
  ),
  standard(
    'standard-trigger-received.json',
    syncEvent('trigger.received', {
      triggerId: '0197e5a2-0000-7000-8000-00000000a001',
      trigger: 'file_changed',
      inboundRequestId: '0197e5a2-0000-7000-8000-00000000b001',
      payload: { kind: 'drive#change', fileId: '1Zp4kQ9xW2' },
      headers: { 'content-type': 'application/json' },
    }),
  ),
  standard('standard-destination-disabled.json', {
    ...syncEvent('destination.disabled', {
      destinationId: '0197e5a2-0000-7000-8000-00000000c001',
      reason: 'Every delivery failed for 5 days (27 in a row).',
    }),
    userId: null,
    credentialId: null,
    integration: null,
  }),
]

/** Every golden body. */
export const goldenCases: GoldenCase[] = [
  ...managedSyncCases,
  ...workspaceCases,
  workflowFailureCase,
  credentialsFailureCase,
  ...probeCases,
  ...standardCases,
]
