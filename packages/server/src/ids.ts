import { randomBytes, randomFillSync } from 'node:crypto'
import { v7 as uuidv7 } from 'uuid'

// uuid's v7 draws each id's 16 random bytes with a call of its own (4 % of a batch of 1,000
// events, bench/ingest). Ids here take them from a pool, and keep v7's order within a
// millisecond: the library's rule, a 31-bit counter seeded at random each new millisecond.
const pool = Buffer.alloc(16 * 4096)
let poolAt = pool.length
const clock = { msecs: -Infinity, seq: 0 }

/** A new time-ordered id (UUIDv7): sorting by id sorts by creation. */
export function newId(): string {
  if (poolAt === pool.length) {
    randomFillSync(pool)
    poolAt = 0
  }
  const random = pool.subarray(poolAt, (poolAt += 16))
  const now = Date.now()
  if (now > clock.msecs) {
    clock.msecs = now
    clock.seq = random.readUInt32BE(6) & 0x7fffffff
  } else {
    clock.seq = (clock.seq + 1) | 0
    // The counter ran over: borrow the next millisecond, as the library does.
    if (clock.seq === 0) clock.msecs++
  }
  return uuidv7({ msecs: clock.msecs, seq: clock.seq, random })
}

/** A random secret token: `prefix` + 32 random bytes in base64url. */
export function newToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url')
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Ids in URLs are UUIDs; anything else can match no row, so routes answer 404 without a query. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value)
}

/**
 * The smallest time-ordered id made at `millis`: `id >= idAt(t)` selects, through an index on
 * the id, the rows made since `t` (every table here keys its rows by `newId`).
 * @example idAt(Date.parse('2026-12-07T00:00:00Z')) // '01a24dcc-d800-7000-8000-000000000000'
 */
export function idAt(millis: number): string {
  const hex = Math.max(0, Math.floor(millis)).toString(16).padStart(12, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`
}
