import { hkdfSync, randomBytes } from 'node:crypto'
import { countAffected, query, type Db, type Queryable, sql } from '../store/index.ts'
import {
  claimToken,
  newClaimId,
  readClaimToken,
  sha256Hex,
  type ClaimCheckRef,
} from './claim-check.ts'

/*
 * The only file that names the claim_checks and server_keys tables.
 *
 * Why bodies are stored rather than rendered again at fetch time: a body depends on more than
 * the stored event (the destination's template and its `now()`, the credential's and user's
 * current metadata, the event itself, which retention may delete), so a later render could
 * differ from the bytes the thin event's sha256 names. Bodies above the limit are rare, kept
 * once per (delivery, bytes) whatever the retries, and only until their last URL expires.
 */

/** Keeps oversized bodies and hands out, then honours, their signed URLs. */
export interface ClaimChecks {
  /** Stores a delivery's body and returns the reference its thin event carries. */
  keep(deliveryId: string, body: string, now: Date): Promise<ClaimCheckRef>
  /** The body a token opens, or why it does not. */
  open(token: string, now: Date): Promise<ClaimOpened>
  /** Deletes bodies whose last URL has expired. @returns how many */
  prune(now: Date): Promise<number>
}

export type ClaimOpened =
  { ok: true; body: string; sha256: string } | { ok: false; reason: 'invalid' | 'expired' }

/**
 * @param deps.secretKey SWITCHYARD_SECRET_KEY; without it a random key kept in the store signs
 *   (every process of the installation reads the same one)
 * @param deps.ttlMs how long a URL stays valid after the attempt that sent it
 * @example const claims = createClaimChecks({ db, secretKey: null, publicUrl, ttlMs: 3600_000 })
 */
export function createClaimChecks(deps: {
  db: Db
  secretKey: string | null
  publicUrl: string
  ttlMs: number
}): ClaimChecks {
  let key: Promise<Buffer> | null = null
  // A failed read (the store restarting) is not kept: the next call tries again.
  const keyOnce = () =>
    (key ??= signingKey(deps.db.kysely, deps.secretKey).catch((error: unknown) => {
      key = null
      throw error
    }))
  return {
    keep: async (deliveryId, body, now) => {
      const sha256 = sha256Hex(body)
      const expiresAt = new Date(now.getTime() + deps.ttlMs)
      const id = await upsertClaimBody(deps.db.kysely, { deliveryId, body, sha256, expiresAt, now })
      const token = claimToken(await keyOnce(), id, expiresAt)
      const url = `${deps.publicUrl}/v1/claims/${token}`
      return { url, expiresAt: expiresAt.toISOString(), size: Buffer.byteLength(body), sha256 }
    },
    open: async (token, now) => {
      const checked = readClaimToken(await keyOnce(), token, now)
      if (!checked.ok) return checked
      const found = await findClaimBody(deps.db.kysely, checked.id)
      // Gone before its URL expired: its delivery (destination, project) was deleted.
      return found ? { ok: true, ...found } : { ok: false, reason: 'invalid' }
    },
    prune: (now) => deleteExpiredClaims(deps.db.kysely, now),
  }
}

async function signingKey(q: Queryable, secretKey: string | null): Promise<Buffer> {
  if (secretKey)
    return Buffer.from(hkdfSync('sha256', secretKey, 'switchyard', 'claim-check urls v1', 32))
  return Buffer.from(await serverKey(q, 'claim-checks'), 'base64url')
}

/** The store's key of that name, made (32 random bytes) by whichever process asks first. */
async function serverKey(q: Queryable, name: string): Promise<string> {
  const made = randomBytes(32).toString('base64url')
  const rows = await query<{ key: string }>(
    q,
    sql`
    with made as (
      insert into server_keys (name, key, created_at) values (${name}, ${made}, now())
      on conflict (name) do nothing returning key
    )
    select key from made union all select key from server_keys where name = ${name}`,
  )
  return rows[0]!.key
}

/**
 * Stores a body, or extends the expiry of the same bytes stored for an earlier attempt.
 * Result: the row's id. Locks: that row, until the statement commits.
 */
async function upsertClaimBody(
  q: Queryable,
  c: { deliveryId: string; body: string; sha256: string; expiresAt: Date; now: Date },
): Promise<string> {
  const rows = await query<{ id: string }>(
    q,
    sql`
    insert into claim_checks (id, delivery_id, sha256, body, expires_at, created_at)
    values (${newClaimId()}, ${c.deliveryId}, ${c.sha256}, ${c.body},
            ${c.expiresAt.toISOString()}::timestamptz, ${c.now.toISOString()}::timestamptz)
    on conflict (delivery_id, sha256)
      do update set expires_at = greatest(claim_checks.expires_at, excluded.expires_at)
    returning id`,
  )
  return rows[0]!.id
}

async function findClaimBody(
  q: Queryable,
  id: string,
): Promise<{ body: string; sha256: string } | null> {
  const rows = await query<{ body: string; sha256: string }>(
    q,
    sql`select body, sha256 from claim_checks where id = ${id}`,
  )
  return rows[0] ?? null
}

async function deleteExpiredClaims(q: Queryable, now: Date): Promise<number> {
  return countAffected(
    q,
    sql`delete from claim_checks where expires_at <= ${now.toISOString()}::timestamptz`,
  )
}
