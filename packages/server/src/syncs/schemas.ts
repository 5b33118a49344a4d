import type { ConnectorRegistry } from './connectors/index.ts'
import { syncErrorCategories } from './error-codes.ts'
import { maxPageRecords } from './pages.ts'
import type { SyncSummary } from './syncs.ts'
import { runTypes, syncStatuses, type RunRow, type SyncRow } from './types.ts'

const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const
const nullableText = { type: ['string', 'null'] } as const
const dateTimeOrNull = { type: ['string', 'null'], format: 'date-time' } as const

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 100 } },
} as const

export const runParams = {
  type: 'object',
  required: ['id', 'runId'],
  properties: { id: { type: 'string', maxLength: 100 }, runId: { type: 'string', maxLength: 100 } },
} as const

export const recordParams = {
  type: 'object',
  required: ['id', 'recordId'],
  properties: {
    id: { type: 'string', maxLength: 100 },
    recordId: { type: 'string', maxLength: 100 },
  },
} as const

export const syncInSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['integration', 'pipeline'],
  properties: {
    integration: { ...text(100), description: 'e.g. googledrive, or filesystem (built in).' },
    pipeline: { ...text(100), description: 'The synced model, e.g. files.' },
    configuration: { type: 'object', description: 'Integration-specific, e.g. {"path": …}.' },
    configurationName: text(200),
    userId: { ...text(200), description: 'Required with a project key; a user token supplies it.' },
    credentialId: text(200),
    schedule: {
      type: 'object',
      additionalProperties: false,
      properties: {
        incrementalEverySeconds: { type: 'integer', minimum: 10, maximum: 7 * 86400 },
        fullEverySeconds: { type: 'integer', minimum: 60, maximum: 90 * 86400 },
      },
    },
  },
} as const

const summarySchema = {
  type: 'object',
  required: ['totalRecords', 'syncedRecordsCount', 'lastSyncedAt', 'latestCursor'],
  properties: {
    totalRecords: { type: 'integer' },
    syncedRecordsCount: { type: 'integer' },
    lastSyncedAt: dateTimeOrNull,
    latestCursor: nullableText,
  },
} as const

const errorSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
} as const

export const syncOutSchema = {
  type: 'object',
  required: [
    'id',
    'integration',
    'pipeline',
    'status',
    'userId',
    'credentialId',
    'summary',
    'runBy',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    integration: { type: 'string' },
    runBy: {
      type: 'string',
      enum: ['engine', 'worker'],
      description:
        'engine: a built-in connector the scheduler runs at nextRunAt; worker: your sync worker runs it, and nextRunAt only says when the schedule asks for the next run.',
    },
    pipeline: { type: 'string' },
    status: { type: 'string', enum: syncStatuses },
    userId: { type: 'string' },
    credentialId: nullableText,
    configuration: { type: 'object', additionalProperties: true },
    configurationName: nullableText,
    summary: summarySchema,
    error: errorSchema,
    schedule: {
      type: 'object',
      properties: {
        incrementalEverySeconds: { type: 'integer' },
        fullEverySeconds: { type: 'integer' },
      },
    },
    nextRunAt: dateTimeOrNull,
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const

/**
 * The API view of a sync; `error` only while ERRORED. `connectors`: the built-in ones, whose
 * syncs the engine runs itself.
 */
export function syncOut(row: SyncRow, summary: SyncSummary, connectors: ConnectorRegistry) {
  return {
    id: row.id,
    integration: row.integration,
    runBy: connectors.has(row.integration) ? ('engine' as const) : ('worker' as const),
    pipeline: row.pipeline,
    status: row.status,
    userId: row.user_id,
    credentialId: row.credential_id,
    configuration: row.configuration,
    configurationName: row.configuration_name,
    summary,
    ...(row.error ? { error: row.error } : {}),
    schedule: {
      incrementalEverySeconds: row.incremental_every_seconds,
      fullEverySeconds: row.full_every_seconds,
    },
    nextRunAt: row.next_run_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  }
}

export const runOutSchema = {
  type: 'object',
  required: ['id', 'syncId', 'type', 'status', 'startedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    syncId: { type: 'string', format: 'uuid' },
    type: { type: 'string', enum: runTypes },
    status: { type: 'string' },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: dateTimeOrNull,
    cursor: nullableText,
    error: { anyOf: [errorSchema, { type: 'null' }] },
  },
} as const

/** `POST /v1/syncs/:id/runs/:runId/complete`: the run with its record totals, and the sync. */
export const runCompletedOutSchema = {
  type: 'object',
  required: ['run', 'sync'],
  properties: {
    run: {
      ...runOutSchema,
      required: [...runOutSchema.required, 'totals'],
      properties: {
        ...runOutSchema.properties,
        totals: {
          type: 'object',
          required: ['created', 'updated', 'unchanged', 'errored'],
          properties: {
            created: { type: 'integer' },
            updated: { type: 'integer' },
            unchanged: { type: 'integer' },
            errored: { type: 'integer' },
          },
        },
      },
    },
    sync: syncOutSchema,
  },
} as const

/** `POST /v1/syncs/:id/runs/:runId/fail`: the run, how the failure was taken, and the sync. */
export const runFailedOutSchema = {
  type: 'object',
  required: ['run', 'failure', 'sync'],
  properties: {
    run: runOutSchema,
    failure: {
      type: 'string',
      enum: ['permanent', 'transient'],
      description: 'permanent: the sync is ERRORED; transient: it retries with backoff.',
    },
    sync: syncOutSchema,
  },
} as const

/** `GET /v1/sync-error-codes`. */
export const syncErrorCodesOutSchema = {
  type: 'object',
  required: ['data', 'transientCodes'],
  properties: {
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'category', 'description', 'suggestedAction', 'recoverable'],
        properties: {
          code: { type: 'string' },
          category: { type: 'string', enum: syncErrorCategories },
          description: { type: 'string' },
          suggestedAction: { type: 'string' },
          recoverable: { type: 'boolean' },
        },
      },
    },
    transientCodes: {
      type: 'array',
      items: { type: 'string' },
      description:
        'Codes a worker may send that retry with backoff instead (compared case-insensitively).',
    },
  },
} as const

export function runOut(row: RunRow) {
  return {
    id: row.id,
    syncId: row.sync_id,
    type: row.type,
    status: row.status,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    cursor: row.cursor,
    error: row.error,
  }
}

const base64 = '^[A-Za-z0-9+/]*={0,2}$'

export const pageInSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    records: {
      type: 'array',
      maxItems: maxPageRecords,
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['externalId', 'data'],
        properties: {
          externalId: text(1000),
          data: { type: 'object', description: "The record's fields (metadata for files)." },
          name: text(1000),
          mimeType: text(255),
          content: { type: 'string', pattern: base64, description: 'The file bytes, base64.' },
        },
      },
    },
    errors: {
      type: 'array',
      maxItems: maxPageRecords,
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['message'],
        properties: { externalId: text(1000), code: text(100), message: text(10_000) },
      },
    },
  },
} as const

export const pageOutSchema = {
  type: 'object',
  required: ['created', 'updated', 'unchanged', 'errored', 'replayed'],
  properties: {
    created: { type: 'integer' },
    updated: { type: 'integer' },
    unchanged: { type: 'integer' },
    errored: { type: 'integer' },
    replayed: { type: 'boolean' },
  },
} as const

export const failInSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'message'],
  properties: {
    code: {
      ...text(100),
      description: 'A sync error code (GET /v1/sync-error-codes) or a transient one.',
    },
    message: text(10_000),
    httpStatus: { type: 'integer', minimum: 100, maximum: 599 },
    retryAfterMs: { type: 'integer', minimum: 0, maximum: 86_400_000 },
  },
} as const
