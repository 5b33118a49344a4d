import { apiError } from '../errors.ts'
import type { CredentialRow, CredentialStatus, PendingEvent } from './store.ts'

/** `PUT /v1/credentials/:id`: fields left out keep their stored value. */
export interface CredentialIn {
  userId?: string
  integration?: string
  providerAccountId?: string | null
  status?: CredentialStatus
  /** Why the credential stopped working (a refresh error); required when it turns INVALID. */
  error?: string | null
  externalState?: unknown
  metadata?: Record<string, unknown>
  tokens?: Record<string, unknown> | null
}

/**
 * The event a status change owes, or null. The first time a credential is VALID it was
 * installed; VALID → INVALID failed; INVALID → VALID (once installed) is fixed. Other moves
 * (to or from PENDING) emit nothing.
 * @example statusEvent(null, { status: 'VALID', … }) // { type: 'integration.installed', … }
 */
export function statusEvent(
  before: Pick<CredentialRow, 'status' | 'installed_at'> | null,
  after: Pick<CredentialRow, 'status' | 'error' | 'metadata'>,
): Omit<PendingEvent, 'key'> | null {
  if (after.status === 'VALID' && !before?.installed_at)
    return { type: 'integration.installed', data: { metadata: after.metadata } }
  if (before?.status === 'VALID' && after.status === 'INVALID')
    return { type: 'credential.failed', data: { error: after.error ?? '' } }
  if (before?.status === 'INVALID' && after.status === 'VALID')
    return { type: 'credential.fixed', data: {} }
  return null
}

/**
 * The row to store: the stored one (or a new one) with the request's fields over it, and the
 * status event it owes appended to its outbox.
 * @param tokensCiphertext the sealed tokens; undefined keeps the stored ones
 */
export function mergeCredential(
  stored: CredentialRow | null,
  input: CredentialIn,
  ids: { projectId: string; id: string },
  tokensCiphertext: string | null | undefined,
  now: Date,
): CredentialRow {
  const base = stored ?? newCredential(input, ids, now)
  checkIdentity(stored, input)
  const status = input.status ?? base.status
  const error = status === 'VALID' ? null : input.error !== undefined ? input.error : base.error
  const next: CredentialRow = {
    ...base,
    provider_account_id: pick(input.providerAccountId, base.provider_account_id),
    status,
    error,
    external_state: pick(input.externalState, base.external_state),
    metadata: input.metadata ?? base.metadata,
    tokens_ciphertext: tokensCiphertext === undefined ? base.tokens_ciphertext : tokensCiphertext,
    updated_at: now,
  }
  if (stored?.status === 'VALID' && status === 'INVALID' && !error)
    throw apiError('validation_failed', undefined, [
      { path: '/error', message: 'is required when a VALID credential becomes INVALID' },
    ])
  return withOutbox(stored, next, now)
}

function withOutbox(stored: CredentialRow | null, next: CredentialRow, now: Date): CredentialRow {
  const event = statusEvent(stored, next)
  const statusChanged = stored === null || stored.status !== next.status
  const version = statusChanged ? next.status_version + 1 : next.status_version
  if (!event) return { ...next, status_version: version }
  const key = `switchyard:credential:${next.id}:${version}`
  return {
    ...next,
    status_version: version,
    installed_at: next.installed_at ?? (next.status === 'VALID' ? now : null),
    pending_events: [...(next.pending_events ?? []), { key, ...event }],
  }
}

function newCredential(
  input: CredentialIn,
  ids: { projectId: string; id: string },
  now: Date,
): CredentialRow {
  const missing = (['userId', 'integration'] as const).filter((f) => !input[f])
  if (missing.length > 0)
    throw apiError(
      'validation_failed',
      'A new credential needs userId and integration.',
      missing.map((f) => ({
        path: `/${f}`,
        message: 'is required when the credential is created',
      })),
    )
  return {
    project_id: ids.projectId,
    id: ids.id,
    user_id: input.userId!,
    integration: input.integration!,
    provider_account_id: null,
    status: 'VALID',
    error: null,
    external_state: null,
    metadata: {},
    tokens_ciphertext: null,
    installed_at: null,
    pending_events: null,
    status_version: 0,
    created_at: now,
    updated_at: now,
  }
}

// A credential belongs to one user and one integration for life; moving it would re-attribute
// every event already emitted for it.
function checkIdentity(stored: CredentialRow | null, input: CredentialIn): void {
  if (!stored) return
  for (const [field, column] of [
    ['userId', 'user_id'],
    ['integration', 'integration'],
  ] as const) {
    const value = input[field]
    if (value !== undefined && value !== stored[column])
      throw apiError(
        'conflict',
        `The credential belongs to ${field} "${stored[column]}"; create a new credential instead.`,
        [{ path: `/${field}`, message: 'cannot change' }],
      )
  }
}

function pick<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value
}
