/**
 * Sync failure codes: the Paragon Managed Sync table (seed 000, "Error Codes") plus the transient
 * signals that are retried with backoff instead of stopping the sync.
 */

export const syncErrorCategories = [
  'credential',
  'authorization',
  'configuration',
  'account_limit',
  'system',
] as const
export type SyncErrorCategory = (typeof syncErrorCategories)[number]

export interface SyncErrorCode {
  code: string
  category: SyncErrorCategory
  description: string
  suggestedAction: string
}

const reconnect =
  'Prompt the end user to re-authenticate the integration through the Connect Portal.'
const contactSupport = 'No action for the end user; contact the operator if the error persists.'

const credential = (code: string, description: string): SyncErrorCode => ({
  code,
  category: 'credential',
  description,
  suggestedAction: reconnect,
})
const system = (code: string, description: string): SyncErrorCode => ({
  code,
  category: 'system',
  description,
  suggestedAction: contactSupport,
})

/**
 * Every code of the seed's table and the built-in connectors' own; all of them are permanent
 * (the sync becomes ERRORED).
 */
export const syncErrorCodes: readonly SyncErrorCode[] = [
  credential(
    'PROXY_7300',
    'Credential not found (the credential the sync is bound to was deleted).',
  ),
  credential(
    'PROXY_7301',
    'Credential not found (the credential the sync is bound to was deleted).',
  ),
  credential(
    'PROXY_7306',
    'Credential not found (the credential the sync is bound to was deleted).',
  ),
  credential(
    'PROXY_7317',
    'Credential not found (the credential the sync is bound to was deleted).',
  ),
  credential('PROXY_7303', 'Credential is in an invalid state (e.g. revoked or expired).'),
  credential('PROXY_7311', 'Credential configuration not found.'),
  credential('PROXY_7325', 'Credential not found for external ID.'),
  credential('PROXY_01101', 'Credential could not be decrypted (deleted or corrupted).'),
  credential('PROXY_11002', 'Integration is not enabled for this user.'),
  {
    code: 'PROXY_401',
    category: 'authorization',
    description: 'Third-party API rejected the request as unauthorized.',
    suggestedAction: reconnect,
  },
  {
    code: 'PROXY_403',
    category: 'authorization',
    description:
      'Third-party API rejected the request as forbidden (insufficient permissions or scopes).',
    suggestedAction: reconnect,
  },
  {
    code: '10006',
    category: 'configuration',
    description: 'A required sync configuration parameter is missing or invalid.',
    suggestedAction: 'Check the sync configuration, correct any issues, and recreate the sync.',
  },
  {
    code: '10003',
    category: 'account_limit',
    description: 'The sync has reached its trial record limit.',
    suggestedAction: 'Raise the account limits.',
  },
  // Switchyard's own, from the built-in filesystem connector (docs/syncs.md).
  {
    code: 'connector_disabled',
    category: 'configuration',
    description:
      'The built-in connector is off: the operator has not named SWITCHYARD_FS_CONNECTOR_ROOTS.',
    suggestedAction:
      'Ask the operator to enable the connector, then re-enable the sync (or delete it).',
  },
  {
    code: 'connector_limit_exceeded',
    category: 'account_limit',
    description:
      'The directory is larger than one pass may read (files, depth or bytes; the message says which).',
    suggestedAction: 'Sync a smaller directory, or ask the operator to raise the limit.',
  },
  system('10001', 'Pipeline does not support permissions.'),
  system('10004', 'Job stalled more than allowable limit.'),
  system('10005', 'Failed to download content.'),
  system('20005', 'Authorization model not found.'),
  system('00000', 'An unclassified error occurred; the message says more.'),
]

const byCode = new Map(syncErrorCodes.map((entry) => [entry.code, entry]))

/**
 * Codes a worker sends for failures that pass by themselves: rate limits, network faults and an
 * access token that expired (the platform refreshes it). Compared case-insensitively.
 */
export const transientCodes: readonly string[] = [
  'rate_limited',
  'network_error',
  'timeout',
  'access_token_expired',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
  'UND_ERR_SOCKET',
]
const transientSet = new Set(transientCodes.map((code) => code.toLowerCase()))

/** How a run failure is handled. */
export type FailureClass =
  | { kind: 'permanent'; entry: SyncErrorCode | null } // ERRORED, emits sync.errored
  | { kind: 'transient' } // retried with backoff, emits nothing

/**
 * Classifies a run failure. A code of the seed's table is permanent whatever the status; then
 * HTTP 408, 429 and 5xx and the transient codes are retried; anything else (an unknown `PROXY_*`
 * included, as the seed says) is permanent.
 * @example classifyFailure('PROXY_7300') // { kind: 'permanent', entry: { category: 'credential', … } }
 * @example classifyFailure('PROXY_500', 503) // { kind: 'transient' }
 */
export function classifyFailure(code: string, httpStatus?: number): FailureClass {
  const entry = byCode.get(code)
  if (entry) return { kind: 'permanent', entry }
  const transientStatus =
    httpStatus !== undefined && (httpStatus === 408 || httpStatus === 429 || httpStatus >= 500)
  if (transientStatus || transientSet.has(code.toLowerCase())) return { kind: 'transient' }
  return { kind: 'permanent', entry: null }
}

/** Backoff steps after consecutive transient failures: 30 s, 1 min, 2 min, 5 min, 15 min, 30 min, then hourly. */
export const retryBackoffMs: readonly number[] = [
  30_000, 60_000, 120_000, 300_000, 900_000, 1_800_000, 3_600_000,
]

/**
 * When a sync that failed transiently runs again: the worker's `retryAfterMs` when it gave one
 * (capped at a day), else the backoff step for the number of failures in a row.
 * @example retryDelayMs(1) // 30_000
 */
export function retryDelayMs(consecutiveFailures: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(retryAfterMs, 0), 24 * 3600_000)
  const step = Math.min(Math.max(consecutiveFailures, 1), retryBackoffMs.length) - 1
  return retryBackoffMs[step]!
}
