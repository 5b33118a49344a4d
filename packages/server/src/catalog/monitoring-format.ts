/*
 * The `monitoring` format: Paragon Event Destinations (seed 002), field for field.
 * The seed writes the message quotes as U+201C on both sides (“name“, not “name”); we copy
 * that byte for byte, since receivers may match on the message text.
 */
import { dataAs } from './event-data.ts'
import type {
  CredentialFailedData,
  DestinationDisabledData,
  TriggerFailedData,
  WorkflowFailedData,
} from './event-data.ts'
import {
  anyObject,
  closedObject,
  constant,
  dateTime,
  epochMs,
  nullableText,
  schemaTitle,
  text,
} from './schema-helpers.ts'
import type { CanonicalType, CatalogEvent, JsonSchema, RenderOptions } from './types.ts'
import { wireName } from './wire-names.ts'

const quote = '\u201c'

interface Parts {
  message: string
  workflow?: { id: string; name: string }
  data: Record<string, unknown>
}

function toEpochMs(value: number | string): number {
  return typeof value === 'number' ? value : Date.parse(value)
}

function renderWorkflowFailure(event: CatalogEvent, options: RenderOptions): Parts {
  const { workflow, execution, step, error } = dataAs<WorkflowFailedData>(event.data)
  const projectId = event.project.id
  const base = options.publicUrl.replace(/\/+$/, '')
  const path = [
    'projects',
    projectId,
    'monitoring',
    'workflows',
    workflow.id,
    'executions',
    execution.id,
  ]
  const stepExecution = step && {
    stepId: step.id,
    instanceId: step.instanceId,
    startTime: toEpochMs(step.startTime),
    endTime: toEpochMs(step.endTime),
  }
  const forUser = event.userId == null ? '' : ` for User ${event.userId}`
  return {
    message: `Workflow ${quote}${workflow.name}${quote} failed${forUser}`,
    workflow: { id: workflow.id, name: workflow.name },
    data: {
      type: 'workflow_failure',
      projectId,
      workflowId: workflow.id,
      workflowExecution: { id: execution.id },
      ...(stepExecution ? { stepExecution } : {}),
      // The seed's data.timestamp is the failed step's end, a millisecond before the envelope's.
      timestamp: stepExecution?.endTime ?? event.occurredAt.getTime(),
      error,
      executionUrl: `${base}/${path.map(encodeURIComponent).join('/')}`,
    },
  }
}

function renderCredentialsFailure(event: CatalogEvent): Parts {
  const { error } = dataAs<CredentialFailedData>(event.data)
  const integration = event.integration?.name ?? event.integration?.type ?? 'an integration'
  const user = event.userId ?? 'unknown'
  return {
    message: `Connected User ${quote}${user}${quote} credential for ${integration} expired and can not be refreshed.`,
    data: { userId: event.userId ?? null, error },
  }
}

function renderDestinationDisabled(event: CatalogEvent): Parts {
  const { destinationId, reason, url } = dataAs<DestinationDisabledData>(event.data)
  return {
    message: `Destination ${url ?? destinationId} was disabled: ${reason}`,
    data: { destinationId, reason, ...(url === undefined ? {} : { url }) },
  }
}

function renderTriggerFailure(event: CatalogEvent): Parts {
  const { triggerId, trigger, inboundRequestId, reason } = dataAs<TriggerFailedData>(event.data)
  const name = trigger === undefined ? triggerId : `${quote}${trigger}${quote}`
  return {
    message: `Trigger ${name} could not route request ${inboundRequestId}: ${reason}`,
    data: { triggerId, inboundRequestId, reason },
  }
}

function renderParts(event: CatalogEvent, options: RenderOptions): Parts | null {
  switch (event.type) {
    case 'workflow.failed':
      return renderWorkflowFailure(event, options)
    case 'credential.failed':
      return renderCredentialsFailure(event)
    case 'destination.disabled':
      return renderDestinationDisabled(event)
    case 'trigger.failed':
      return renderTriggerFailure(event)
    case 'webhook.test':
      return { message: 'This is a test event from Switchyard.', data: { test: true } }
    default:
      return null
  }
}

/**
 * Renders an event as an Event Destinations body; null when the format has no name for it.
 * Reads `occurredAt`, `userId`, `userMetadata`, `project`, `integration` (`id`, else
 * `credentialId`; `type`; `name` for the credentials_failure message) and `credentialId`.
 *
 * @example
 * renderMonitoring(event, { publicUrl: 'https://switchyard.example.com' })
 * // { type: 'workflow_failure', timestamp: 1729629642607, timestampISO: '2024-10-22T…', … }
 */
export function renderMonitoring(
  event: CatalogEvent,
  options: RenderOptions,
): Record<string, unknown> | null {
  const name = wireName('monitoring', event.type)
  const parts = renderParts(event, options)
  if (name === null || parts === null) return null
  return {
    type: name,
    timestamp: event.occurredAt.getTime(),
    timestampISO: event.occurredAt.toISOString(),
    message: parts.message,
    user: { id: event.userId ?? null, metadata: event.userMetadata ?? {} },
    project: { id: event.project.id, name: event.project.name },
    integration: {
      id: event.integration?.id ?? event.credentialId ?? null,
      type: event.integration?.type ?? null,
    },
    ...(parts.workflow ? { workflow: parts.workflow } : {}),
    data: parts.data,
  }
}

const dataByType: Partial<Record<CanonicalType, JsonSchema>> = {
  'workflow.failed': closedObject(
    {
      type: constant('workflow_failure'),
      projectId: text,
      workflowId: text,
      workflowExecution: closedObject({ id: text }, ['id']),
      stepExecution: closedObject(
        { stepId: text, instanceId: text, startTime: epochMs, endTime: epochMs },
        ['stepId', 'instanceId', 'startTime', 'endTime'],
      ),
      timestamp: epochMs,
      error: text,
      executionUrl: { type: 'string', format: 'uri' },
    },
    ['type', 'projectId', 'workflowId', 'workflowExecution', 'timestamp', 'error', 'executionUrl'],
  ),
  'credential.failed': closedObject({ userId: nullableText, error: text }, ['userId', 'error']),
  'destination.disabled': closedObject({ destinationId: text, reason: text, url: text }, [
    'destinationId',
    'reason',
  ]),
  'trigger.failed': closedObject({ triggerId: text, inboundRequestId: text, reason: text }, [
    'triggerId',
    'inboundRequestId',
    'reason',
  ]),
  'webhook.test': closedObject({ test: constant(true) }, ['test']),
}

/**
 * The JSON Schema of the Event Destinations body for a type; null when the format has no
 * name for it.
 *
 * @example
 * monitoringBodySchema('workflow.failed')?.title // 'MonitoringWorkflowFailure'
 */
export function monitoringBodySchema(type: CanonicalType): JsonSchema | null {
  const name = wireName('monitoring', type)
  const data = dataByType[type]
  if (name === null || data === undefined) return null
  const workflow = closedObject({ id: text, name: text }, ['id', 'name'])
  return {
    title: schemaTitle('monitoring', name),
    ...closedObject(
      {
        type: constant(name),
        timestamp: epochMs,
        timestampISO: dateTime,
        message: text,
        user: closedObject({ id: nullableText, metadata: anyObject }, ['id', 'metadata']),
        project: closedObject({ id: text, name: { type: 'string' } }, ['id', 'name']),
        integration: closedObject({ id: nullableText, type: nullableText }, ['id', 'type']),
        ...(type === 'workflow.failed' ? { workflow } : {}),
        data,
      },
      [
        ...['type', 'timestamp', 'timestampISO', 'message', 'user', 'project', 'integration'],
        ...(type === 'workflow.failed' ? ['workflow'] : []),
        'data',
      ],
    ),
  }
}
