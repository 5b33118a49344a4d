/*
 * The `managed-sync` format: Paragon Managed Sync webhooks (seed 000). The envelope's keys
 * come in the order of the seed's examples (event, syncInstanceId, sync, credentialId, user,
 * then data or error), which is also the order receivers see them in the JSON text. Two
 * bodies have no envelope: the forwarded inbound request, and the test/probe event
 * `{"event":"webhook_verification"}`.
 */
import { dataAs } from './event-data.ts'
import type {
  RecordData,
  RecordErroredData,
  SyncCompletedData,
  SyncErroredData,
  TriggerReceivedData,
} from './event-data.ts'
import {
  closedObject,
  constant,
  dateTime,
  nullableText,
  schemaTitle,
  text,
} from './schema-helpers.ts'
import type { CatalogEvent, CanonicalType, JsonSchema } from './types.ts'
import { wireName } from './wire-names.ts'

type Part = { data: Record<string, unknown> } | { error: Record<string, unknown> } | null

/** The `data` or `error` member for a type; null for types without a managed-sync name. */
function renderPart(event: CatalogEvent): Part {
  switch (event.type) {
    case 'sync.completed': {
      const { model, syncedAt, numRecords } = dataAs<SyncCompletedData>(event.data)
      return { data: { model, syncedAt, numRecords } }
    }
    case 'sync.errored': {
      const { code, message } = dataAs<SyncErroredData>(event.data)
      return { error: { code, message } }
    }
    case 'record.created':
    case 'record.updated': {
      const { recordId, model } = dataAs<RecordData>(event.data)
      return { data: { recordId, model } }
    }
    case 'record.deleted': {
      const { model, recordId } = dataAs<RecordData>(event.data)
      return { data: { model, recordId } }
    }
    case 'record.errored': {
      // The seed's example has no code, but its prose says error objects carry one:
      // keep the example's key order and append code when the producer gave it.
      const { message, recordId, model, code } = dataAs<RecordErroredData>(event.data)
      return {
        error: {
          message,
          ...(recordId === undefined ? {} : { recordId }),
          model,
          ...(code === undefined ? {} : { code }),
        },
      }
    }
    default:
      return null
  }
}

/** The body an inbound trigger event is forwarded as (no envelope, like Paragon's). */
function renderForwardedTrigger(event: CatalogEvent): Record<string, unknown> {
  const data = dataAs<TriggerReceivedData>(event.data)
  return {
    eventId: event.id,
    userId: event.userId ?? null,
    integration: event.integration?.type ?? null,
    trigger: data.trigger,
    credentialId: event.credentialId ?? null,
    projectId: event.project.id,
    dateReceived: event.occurredAt.toISOString(),
    payload: data.payload,
    ...(data.payloadEncoding === undefined ? {} : { payloadEncoding: data.payloadEncoding }),
    headers: data.headers,
  }
}

/**
 * Renders an event as a Managed Sync webhook body; null when the format has no name for it.
 * Reads `integration.type` (as `sync`), `credentialId`, `userId` and `data.syncId`.
 *
 * @example
 * renderManagedSync(event) // { event: 'record_created', syncInstanceId, sync: 'googledrive', … }
 */
export function renderManagedSync(event: CatalogEvent): Record<string, unknown> | null {
  if (event.type === 'trigger.received') return renderForwardedTrigger(event)
  const name = wireName('managed-sync', event.type)
  // The test and probe event is its name alone: a strict receiver requires syncInstanceId and
  // user.id on every other event, and a test event has neither to give.
  if (event.type === 'webhook.test') return { event: name }
  const part = renderPart(event)
  if (name === null || part === null) return null
  const syncId = event.data['syncId']
  return {
    event: name,
    syncInstanceId: typeof syncId === 'string' ? syncId : null,
    sync: event.integration?.type ?? null,
    credentialId: event.credentialId ?? null,
    user: { id: event.userId ?? null },
    ...part,
  }
}

const recordRef = closedObject({ recordId: text, model: text }, ['recordId', 'model'])

const parts: Partial<Record<CanonicalType, Record<string, JsonSchema>>> = {
  'sync.completed': {
    data: closedObject(
      { model: text, syncedAt: dateTime, numRecords: { type: 'integer', minimum: 0 } },
      ['model', 'syncedAt', 'numRecords'],
    ),
  },
  'sync.errored': { error: closedObject({ code: text, message: text }, ['code', 'message']) },
  'record.created': { data: recordRef },
  'record.updated': { data: recordRef },
  'record.deleted': { data: recordRef },
  'record.errored': {
    error: closedObject({ message: text, recordId: text, model: text, code: text }, [
      'message',
      'model',
    ]),
  },
}

const verificationName = wireName('managed-sync', 'webhook.test')!

const verificationSchema: JsonSchema = {
  title: schemaTitle('managed-sync', verificationName),
  ...closedObject({ event: constant(verificationName) }, ['event']),
}

const forwardedTriggerSchema: JsonSchema = {
  title: schemaTitle('managed-sync', 'trigger_received'),
  ...closedObject(
    {
      eventId: text,
      userId: nullableText,
      integration: nullableText,
      trigger: text,
      credentialId: nullableText,
      projectId: text,
      dateReceived: dateTime,
      payload: {},
      payloadEncoding: { type: 'string', enum: ['base64'] },
      headers: { type: 'object' },
    },
    [
      'eventId',
      'userId',
      'integration',
      'trigger',
      'credentialId',
      'projectId',
      'dateReceived',
      'payload',
      'headers',
    ],
  ),
}

/**
 * The JSON Schema of the Managed Sync body for a type; null when the format has no name for it.
 *
 * @example
 * managedSyncBodySchema('record.created')?.title // 'ManagedSyncRecordCreated'
 */
export function managedSyncBodySchema(type: CanonicalType): JsonSchema | null {
  if (type === 'trigger.received') return forwardedTriggerSchema
  if (type === 'webhook.test') return verificationSchema
  const name = wireName('managed-sync', type)
  const part = parts[type]
  if (name === null || part === undefined) return null
  return {
    title: schemaTitle('managed-sync', name),
    ...closedObject(
      {
        event: constant(name),
        syncInstanceId: nullableText,
        sync: nullableText,
        credentialId: nullableText,
        user: closedObject({ id: nullableText }, ['id']),
        ...part,
      },
      ['event', 'syncInstanceId', 'sync', 'credentialId', 'user', ...Object.keys(part)],
    ),
  }
}
