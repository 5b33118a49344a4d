import { describe, expectTypeOf, it } from 'vitest'
import type {
  ManagedSyncEvent,
  ManagedSyncTriggerReceived,
  MonitoringEvent,
  StandardEvent,
  SwitchyardWebhookEvent,
  WorkspaceEvent,
} from '../../src/index.ts'
import { verifyWebhook } from '../../src/index.ts'

// Type-level checks: `npm run typecheck` (tsc) fails when they do not hold.
describe('webhook event types', () => {
  it('types verifyWebhook by the wire format it is given', () => {
    expectTypeOf(verifyWebhook<'managed-sync'>).returns.resolves.toEqualTypeOf<ManagedSyncEvent>()
    expectTypeOf(verifyWebhook).returns.resolves.toEqualTypeOf<
      ManagedSyncEvent | WorkspaceEvent | MonitoringEvent | StandardEvent
    >()
  })

  it('narrows a managed-sync event on `event`', () => {
    const narrow = (event: SwitchyardWebhookEvent<'managed-sync'>) => {
      if (event.event === 'sync_complete') expectTypeOf(event.data.numRecords).toBeNumber()
      if (event.event === 'record_errored') expectTypeOf(event.error.message).toBeString()
      if (event.event === undefined) expectTypeOf(event).toExtend<ManagedSyncTriggerReceived>()
      if (event.event === 'webhook_verification')
        expectTypeOf(event).toEqualTypeOf<{ event: 'webhook_verification' }>()
    }
    expectTypeOf(narrow).toBeFunction()
  })

  it('narrows a workspace event on `event`', () => {
    const narrow = (event: SwitchyardWebhookEvent<'workspace'>) => {
      if (event.event === 'integration_updated_data_model')
        expectTypeOf(event.payload.resource_id).toBeString()
    }
    expectTypeOf(narrow).toBeFunction()
  })

  it('narrows monitoring and standard events on `type`', () => {
    const narrow = (monitoring: MonitoringEvent, standard: StandardEvent) => {
      if (monitoring.type === 'workflow_failure')
        expectTypeOf(monitoring.workflow.name).toBeString()
      if (standard.type === 'record.created') expectTypeOf(standard.data.recordId).toBeString()
    }
    expectTypeOf(narrow).toBeFunction()
  })

  it('says whom a standard event is about: projectId always, the rest when known', () => {
    const about = (standard: StandardEvent) => {
      expectTypeOf(standard.projectId).toBeString()
      expectTypeOf(standard.userId).toEqualTypeOf<string | undefined>()
      expectTypeOf(standard.credentialId).toEqualTypeOf<string | undefined>()
      expectTypeOf(standard.integration).toEqualTypeOf<string | undefined>()
    }
    expectTypeOf(about).toBeFunction()
  })
})
