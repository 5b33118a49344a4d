import { checkEventFilter } from '../destinations/index.ts'
import { apiError } from '../errors.ts'
import { portalCredentialPrefix, type Caller, type PortalCaller } from '../http/auth.ts'
import { newId, newToken } from '../ids.ts'
import { hashKey as sha256 } from '../projects/index.ts'
import type { Queryable } from '../store/index.ts'
import {
  exchangeLink,
  findByCredentialHash,
  findByLinkHash,
  insertPortalSession,
  type PortalSessionRow,
} from './store.ts'

/*
 * Portal sessions (docs/portal-sessions.md). A platform's backend asks for one; the answer's
 * URL carries a one-time link token in its fragment (`/portal#token=…`), which browsers never
 * send to a server, so it is in no access log. The portal page exchanges it once for a session
 * credential (`syps_…`), the bearer token of every portal call. Both are stored as SHA-256
 * hashes only; both die at `expiresAt` or when the session is revoked.
 */

export const linkTokenPrefix = 'sypl_'
export const sessionLifetimeSeconds = { minimum: 60, maximum: 86_400, default: 3600 } as const

export interface SessionRequest {
  projectId: string
  userId: string | null
  /** Names as destinations take them; null: any type. */
  eventTypes: string[] | null
  readOnly: boolean
  expiresInSeconds: number
  createdBy: Record<string, unknown>
}

/**
 * Creates a session and its one-time link token (returned this once).
 * @throws unknown_event_name for an event type the catalog lacks
 */
export async function createPortalSession(
  q: Queryable,
  input: SessionRequest,
  now: Date,
): Promise<{ row: PortalSessionRow; linkToken: string }> {
  const linkToken = newToken(linkTokenPrefix)
  const row = await insertPortalSession(q, {
    id: newId(),
    projectId: input.projectId,
    userId: input.userId,
    eventTypes: input.eventTypes === null ? null : canonicalTypes(input.eventTypes),
    readOnly: input.readOnly,
    linkHash: sha256(linkToken),
    expiresAt: new Date(now.getTime() + input.expiresInSeconds * 1000),
    createdBy: input.createdBy,
    now,
  })
  return { row, linkToken }
}

function canonicalTypes(names: readonly string[]): string[] {
  const types = checkEventFilter(names, '/eventTypes')
  if (types === null)
    throw apiError('validation_failed', undefined, [
      {
        path: '/eventTypes',
        message: 'leave eventTypes out (or null) for every type; "*" is not a type',
      },
    ])
  return types
}

/**
 * Exchanges a link token for the session credential; a link works once.
 * @throws unauthorized (unknown), portal_token_used, portal_session_revoked, portal_session_expired
 */
export async function exchangePortalLink(
  q: Queryable,
  linkToken: string,
  now: Date,
): Promise<{ row: PortalSessionRow; credential: string }> {
  const credential = newToken(portalCredentialPrefix)
  const linkHash = sha256(linkToken)
  const row = await exchangeLink(q, linkHash, sha256(credential), now)
  if (row) return { row, credential }
  const found = await findByLinkHash(q, linkHash)
  if (!found) throw apiError('unauthorized', 'This portal link is not valid.')
  refuseEnded(found, now)
  throw apiError('portal_token_used')
}

/** The caller a session credential stands for, or null when unknown. */
export async function resolvePortalCredential(
  q: Queryable,
  credential: string,
  now: Date,
): Promise<PortalCaller | null> {
  if (credential.length > 100) return null
  const row = await findByCredentialHash(q, sha256(credential))
  if (!row) return null
  refuseEnded(row, now)
  return portalCaller(row)
}

export function portalCaller(row: PortalSessionRow): PortalCaller {
  return {
    kind: 'portal',
    projectId: row.project_id,
    sessionId: row.id,
    userId: row.user_id,
    eventTypes: row.event_types,
    readOnly: row.read_only,
  }
}

function refuseEnded(row: PortalSessionRow, now: Date): void {
  if (row.revoked_at) throw apiError('portal_session_revoked')
  if (row.expires_at <= now)
    throw apiError(
      'portal_session_expired',
      `The portal session expired at ${row.expires_at.toISOString()}; ask the platform for a new portal link.`,
    )
}

/** Who asked for a session, for its `createdBy` (the audit log has the full entry). */
export function creatorOf(caller: Caller | null): Record<string, unknown> {
  if (caller?.kind === 'key') return { type: 'key', id: caller.keyId }
  return { type: 'instance' }
}

export type SessionStatus = 'pending' | 'active' | 'expired' | 'revoked'

export function sessionStatus(row: PortalSessionRow, now: Date): SessionStatus {
  if (row.revoked_at) return 'revoked'
  if (row.expires_at <= now) return 'expired'
  return row.exchanged_at ? 'active' : 'pending'
}
