import { apiError } from '../errors.ts'
import type { DeliveryOrdering } from './ordering.ts'

/**
 * A destination's noise-control rules (stored as jsonb; null: none):
 * - `credentialFailed`: `credential.failed` events for one credential within `windowMs` of the
 *   first become one delivery, sent when the window ends, with `coalesced.count`.
 * - `records`: `record.*` events of one sync go out as batches (`{syncId, coalesced, records}`)
 *   of at most `maxBatchSize`, the first waiting at most `maxWaitMs`.
 */
export interface CoalesceRules {
  credentialFailed?: { windowMs: number }
  records?: { maxBatchSize: number; maxWaitMs: number }
}

/** The rules as the API takes them: every setting optional. */
export interface CoalesceIn {
  credentialFailed?: Partial<NonNullable<CoalesceRules['credentialFailed']>> | null
  records?: Partial<NonNullable<CoalesceRules['records']>> | null
}

export const coalesceDefaults = {
  windowMs: 300_000,
  maxBatchSize: 100,
  maxWaitMs: 5_000,
} as const

/** The `coalesce` field's JSON Schema (create, patch, test). */
export const coalesceSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  description:
    'Noise control. credentialFailed: repeated credential.failed for one credential within ' +
    'windowMs become one delivery with a count. records: record.* events of one sync go out ' +
    'as batches ({syncId, coalesced, records}) of up to maxBatchSize, waiting up to maxWaitMs.',
  properties: {
    credentialFailed: {
      type: 'object',
      additionalProperties: false,
      properties: {
        windowMs: { type: 'integer', minimum: 1000, maximum: 86_400_000, default: 300_000 },
      },
    },
    records: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxBatchSize: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        maxWaitMs: { type: 'integer', minimum: 100, maximum: 300_000, default: 5000 },
      },
    },
  },
} as const

/** What the rules are applied to: a batch body is fixed, so it takes no template and no order. */
interface CoalesceScope {
  type: string
  templated: boolean
  ordering: DeliveryOrdering
}

/**
 * Fills in defaults; `{}` (no rule) becomes null.
 * @throws validation_failed at /coalesce/records for batches on an email destination, with a
 *   template or preset, or with `ordering`
 */
export function coalesceRules(input: CoalesceIn, scope: CoalesceScope): CoalesceRules | null {
  const rules: CoalesceRules = {}
  if (input.credentialFailed)
    rules.credentialFailed = {
      windowMs: input.credentialFailed.windowMs ?? coalesceDefaults.windowMs,
    }
  if (input.records) {
    checkBatchScope(scope)
    rules.records = {
      maxBatchSize: input.records.maxBatchSize ?? coalesceDefaults.maxBatchSize,
      maxWaitMs: input.records.maxWaitMs ?? coalesceDefaults.maxWaitMs,
    }
  }
  return rules.credentialFailed || rules.records ? rules : null
}

function checkBatchScope(scope: CoalesceScope): void {
  const fault =
    scope.type === 'email'
      ? 'batches are for webhook destinations'
      : scope.templated
        ? 'a batch body is {syncId, coalesced, records}; it takes no template or preset'
        : scope.ordering !== 'none'
          ? 'batches group records of one sync and cannot keep per-key order; set ordering to none'
          : null
  if (fault)
    throw apiError('validation_failed', undefined, [{ path: '/coalesce/records', message: fault }])
}
