import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/*
 * Claim checks: a webhook body above the destination's `maxPayloadBytes` goes out as a thin
 * event (the wire format's envelope plus `claimCheck`) and the full body waits in the store
 * behind a signed, expiring URL. Pure parts here; claim-store.ts keeps bodies, claim-routes.ts
 * serves them.
 */

/** What the thin event carries instead of the full body. */
export interface ClaimCheckRef {
  /** `{publicUrl}/v1/claims/{token}`: public, unguessable, signed, expiring. */
  url: string
  expiresAt: string
  /** The full body's length in bytes (UTF-8). */
  size: number
  /** Hex SHA-256 of the full body, so a receiver can check what it fetched. */
  sha256: string
}

/** A body's size as sent: UTF-8 bytes, not string length. */
export function bodySize(body: string): number {
  return Buffer.byteLength(body, 'utf8')
}

export function sha256Hex(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex')
}

/** 128 random bits: the row id inside the token. */
export function newClaimId(): string {
  return randomBytes(16).toString('base64url')
}

/**
 * The thin event: the rendered body's envelope (its top-level members that are not objects or
 * arrays: type, ids, timestamps, the wire name; and `coalesced`, a batch's counts) plus
 * `claimCheck`. For every wire format that is what identifies the event without its data.
 * @example thinBody({ id: 'e1', type: 'record.updated', timestamp: '…', data: {…} }, ref)
 * // { id: 'e1', type: 'record.updated', timestamp: '…', claimCheck: { url, expiresAt, size, sha256 } }
 */
export function thinBody(wireBody: unknown, claimCheck: ClaimCheckRef): Record<string, unknown> {
  const envelope =
    wireBody !== null && typeof wireBody === 'object' && !Array.isArray(wireBody)
      ? Object.fromEntries(
          Object.entries(wireBody).filter(
            ([name, value]) => name === 'coalesced' || value === null || typeof value !== 'object',
          ),
        )
      : {}
  return { ...envelope, claimCheck }
}

/**
 * `{id}.{expires, Unix seconds}.{HMAC-SHA256 of the two, base64url}`. The id finds the body;
 * the signature makes the expiry (and the id) unforgeable without the server key.
 * @example claimToken(key, newClaimId(), new Date(Date.now() + 3600_000))
 */
export function claimToken(key: Buffer, id: string, expiresAt: Date): string {
  const payload = `${id}.${Math.floor(expiresAt.getTime() / 1000)}`
  return `${payload}.${signature(key, payload)}`
}

/** Why a token does not open a body: not ours (or tampered with), or out of date. */
export type TokenCheck = { ok: true; id: string } | { ok: false; reason: 'invalid' | 'expired' }

/** Checks a token's shape, signature (in constant time), then its expiry. */
export function readClaimToken(key: Buffer, token: string, now: Date): TokenCheck {
  const match = /^([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token)
  if (!match) return { ok: false, reason: 'invalid' }
  const [, id, expires, given] = match as unknown as [string, string, string, string]
  const expected = Buffer.from(signature(key, `${id}.${expires}`))
  if (!timingSafeEqual(expected, Buffer.from(given))) return { ok: false, reason: 'invalid' }
  if (Number(expires) * 1000 <= now.getTime()) return { ok: false, reason: 'expired' }
  return { ok: true, id }
}

function signature(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url')
}
