/*
 * The shapes `data` has once it passed `validateEventData`, as the renderers read them.
 * They mirror data-schemas.ts by hand; the SDK's public types are generated from the schemas.
 */

/** `record.created`, `record.updated`, `record.deleted`. */
export interface RecordData {
  syncId: string
  model: string
  recordId: string
  externalId?: string
  diff?: unknown[]
  record?: Record<string, unknown>
}

/** `record.errored`. */
export interface RecordErroredData {
  syncId: string
  model: string
  recordId?: string
  code?: string
  message: string
}

/** `sync.completed`. */
export interface SyncCompletedData {
  syncId: string
  model: string
  syncedAt: string
  numRecords: number
}

/** `sync.errored`. */
export interface SyncErroredData {
  syncId: string
  model?: string
  code: string
  message: string
}

/** `integration.installed`. */
export interface IntegrationInstalledData {
  metadata?: Record<string, unknown>
}

/** `credential.failed`. */
export interface CredentialFailedData {
  error: string
}

/** `workflow.failed`; step times are epoch ms or ISO strings. */
export interface WorkflowFailedData {
  workflow: { id: string; name: string }
  execution: { id: string }
  step?: { id: string; instanceId: string; startTime: number | string; endTime: number | string }
  error: string
}

/** `trigger.received`. */
export interface TriggerReceivedData {
  triggerId: string
  trigger: string
  inboundRequestId: string
  payload: unknown
  /** `base64`: `payload` is the body's bytes (or a split item's JSON text) in base64. */
  payloadEncoding?: 'base64'
  headers: Record<string, string | string[]>
}

/** `trigger.failed`. */
export interface TriggerFailedData {
  triggerId: string
  trigger?: string
  inboundRequestId: string
  reason: string
  attempts?: number
}

/** `destination.disabled`. */
export interface DestinationDisabledData {
  destinationId: string
  reason: string
  url?: string
}

/**
 * Reads `data` as the shape its type guarantees. Events are validated at ingest, so this is
 * a type assertion, not a check; renderers stay total by defaulting optional fields.
 */
export function dataAs<T>(data: Record<string, unknown>): T {
  return data as T
}
