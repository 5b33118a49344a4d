/*
 * The `standard` format: our own vocabulary. `{id, type, timestamp, projectId, …, data}` with
 * the canonical name, whom the event is about, and the data exactly as stored. Every type has
 * a standard body.
 *
 * Whom it is about: `projectId` always; `userId`, `credentialId` and `integration` (the
 * integration's short name) only when the event has them. An unknown one is absent, never
 * null, so `"userId" in body` and `body.userId !== undefined` say the same thing, and the
 * schema's types carry no `| null`.
 */
import { dataSchemas } from './data-schemas.ts'
import { closedObject, constant, dateTime, schemaTitle, text } from './schema-helpers.ts'
import type { CanonicalType, CatalogEvent, JsonSchema } from './types.ts'

/**
 * Renders an event in the standard format. Reads `id`, `type`, `occurredAt`, `project.id`,
 * `userId`, `credentialId`, `integration.type` and `data`.
 *
 * @example
 * renderStandard(event)
 * // { id: 'evt_1', type: 'record.created', timestamp: '2025-…Z', projectId: 'p1',
 * //   userId: 'u1', credentialId: 'c1', integration: 'googledrive', data: {…} }
 */
export function renderStandard(event: CatalogEvent): Record<string, unknown> {
  const integration = event.integration?.type
  return {
    id: event.id,
    type: event.type,
    timestamp: event.occurredAt.toISOString(),
    projectId: event.project.id,
    ...(event.userId ? { userId: event.userId } : {}),
    ...(event.credentialId ? { credentialId: event.credentialId } : {}),
    ...(integration ? { integration } : {}),
    data: event.data,
  }
}

const about = {
  projectId: { ...text, description: 'The project the event belongs to.' },
  userId: { ...text, description: 'The connected user the event is about; absent when none.' },
  credentialId: {
    ...text,
    description: 'The credential the event is about; absent when none.',
  },
  integration: {
    ...text,
    description: 'The integration\'s short name (e.g. "googledrive"); absent when unknown.',
  },
}

/**
 * The JSON Schema of the standard body for a type.
 *
 * @example
 * standardBodySchema('record.created').title // 'StandardRecordCreated'
 */
export function standardBodySchema(type: CanonicalType): JsonSchema {
  return {
    title: schemaTitle('standard', type),
    ...closedObject(
      { id: text, type: constant(type), timestamp: dateTime, ...about, data: dataSchemas[type] },
      ['id', 'type', 'timestamp', 'projectId', 'data'],
    ),
  }
}
