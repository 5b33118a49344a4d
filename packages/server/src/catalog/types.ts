/**
 * Types shared by the catalog.
 *
 * - canonical event: one fact with one name (`record.created`), as producers raise it and as
 *   it is stored. Its `data` follows the type's JSON Schema.
 * - wire format: a vocabulary a receiver expects (`managed-sync`, `workspace`, `monitoring`,
 *   `standard`). A destination picks one; the catalog renders each event into it.
 * - wire name: the event's name in a wire format (`record_created`,
 *   `integration_new_data_model`); a format may have no name for a type, and then its
 *   destinations never receive that type.
 */

/** The canonical event types (see `canonicalTypes` for the ordered list). */
export type CanonicalType =
  | 'sync.completed'
  | 'sync.errored'
  | 'record.created'
  | 'record.updated'
  | 'record.deleted'
  | 'record.errored'
  | 'integration.installed'
  | 'credential.failed'
  | 'credential.fixed'
  | 'workflow.failed'
  | 'webhook.test'
  | 'trigger.received'
  | 'trigger.failed'
  | 'destination.disabled'

/** The wire formats a destination can pick (see `wireFormats`). */
export type WireFormat = 'managed-sync' | 'workspace' | 'monitoring' | 'standard'

/** A JSON Schema (draft-07, the dialect ajv 8 compiles by default) as plain data. */
export type JsonSchema = Record<string, unknown>

/**
 * The event as stored, plus what a renderer needs to know about its context.
 *
 * @example
 * const event: CatalogEvent = {
 *   id: 'evt_1', type: 'record.created', occurredAt: new Date(),
 *   data: { syncId: 's1', model: 'files', recordId: 'r1' },
 *   project: { id: 'p1', name: 'Acme' }, userId: 'u1', credentialId: 'c1',
 *   integration: { type: 'googledrive' },
 * }
 */
export interface CatalogEvent {
  id: string
  type: CanonicalType
  occurredAt: Date
  data: Record<string, unknown>
  project: { id: string; name: string }
  userId?: string | null
  userMetadata?: Record<string, unknown> | null
  credentialId?: string | null
  /** `type` is the integration's short name, like "googledrive" or "slack". */
  integration?: { id?: string | null; type?: string | null; name?: string | null } | null
  /** The credential's external state, echoed by the `workspace` envelope. */
  state?: string | null
}

/** What rendering needs besides the event. */
export interface RenderOptions {
  /** Base for links in rendered bodies, e.g. the `monitoring` workflow_failure `executionUrl`. */
  publicUrl: string
}

/** One field that failed validation: `path` is a JSON pointer (`/data/model`). */
export interface ValidationError {
  path: string
  message: string
}

/** The outcome of validating a value against a catalog schema. */
export type ValidationResult = { ok: true } | { ok: false; errors: ValidationError[] }

/** One row of `GET /v1/event-types`. */
export interface EventTypeDescription {
  type: CanonicalType
  description: string
  /** The type's name in each format; null where the format has no name for it. */
  names: Record<WireFormat, string | null>
  /**
   * The formats that carry the type (those with a name for it): a destination in another
   * format cannot subscribe to it.
   */
  formats: WireFormat[]
  /** The JSON Schema of the event's `data`. */
  dataSchema: JsonSchema
  /** The JSON Schema of the body each format renders; null where `names` is null. */
  bodySchemas: Record<WireFormat, JsonSchema | null>
}
