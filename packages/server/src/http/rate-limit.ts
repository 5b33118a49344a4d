import { apiError } from '../errors.ts'
import type { Caller } from './auth.ts'

/** Requests per second a bucket refills with, and how many it holds (the burst). */
export interface RateLimit {
  perSecond: number
  burst: number
}

export interface RateLimits {
  /** Per API key or user token, over every authenticated route. */
  perKey: RateLimit
  /** Per trigger, on `/hooks/:triggerId`. */
  perTrigger: RateLimit
  now?: () => number
}

/** Takes one request from a bucket, or throws 429 `rate_limited` with `retryAfterSeconds`. */
export interface RateLimiter {
  /**
   * The bucket of whoever authenticated: the key's id, the user token's user, the instance
   * token. `null` (a token that resolved to nothing) draws on one bucket that every failed
   * authentication of the process shares.
   */
  caller(caller: Caller | null): void
  /** The bucket of a trigger that exists, by its id as stored. */
  trigger(triggerId: string): void
}

declare module 'fastify' {
  interface FastifyInstance {
    rateLimits: RateLimiter
  }
}

// Buckets live in process memory: each API process limits on its own, which is the point of a
// per-process guard (a runaway client or a provider's retry storm), not a billing meter.
const maxBuckets = 50_000

/**
 * Token buckets per authenticated caller and per trigger. Both are keyed on what a lookup
 * resolved, never on the raw request: keyed on the Authorization header, `bearer  KEY` or a
 * trailing space was a fresh bucket for the same key, and `/hooks/ABC…` one for trigger `abc…`;
 * and every spelling of a bad key or an unknown trigger id was a bucket too, which let anyone
 * push real buckets out of the map (eviction refills them). Authentication and the trigger
 * lookup run in `onRequest`, so a 429 still comes before the body is read and before anything
 * is written. Answers 429 `rate_limited` with `Retry-After` in whole seconds.
 * @example const limiter = createRateLimiter({ perKey: { perSecond: 10_000, burst: 20_000 }, perTrigger: { perSecond: 1000, burst: 2000 } })
 */
export function createRateLimiter(limits: RateLimits): RateLimiter {
  const take = createBuckets(limits.now ?? Date.now)
  const check = (bucket: string, limit: RateLimit, what: string) => {
    const waitMs = take(bucket, limit)
    if (waitMs <= 0) return
    const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000))
    throw apiError(
      'rate_limited',
      `Too many requests for this ${what}; retry after ${retryAfterSeconds} s.`,
      { retryAfterSeconds },
    )
  }
  return {
    caller: (caller) => check(bucketOf(caller), limits.perKey, caller ? 'key' : 'invalid key'),
    trigger: (triggerId) => check(`hook:${triggerId}`, limits.perTrigger, 'trigger'),
  }
}

function bucketOf(caller: Caller | null): string {
  if (!caller) return 'unauthenticated'
  switch (caller.kind) {
    case 'key':
      return `key:${caller.keyId}`
    case 'user':
      return `user:${caller.projectId}:${caller.userId}`
    case 'instance':
      return 'instance'
    case 'portal':
      return `portal:${caller.sessionId}`
    default:
      return caller satisfies never
  }
}

/** @returns a function that takes one token from a bucket: 0, or the ms until one is there */
function createBuckets(now: () => number) {
  const buckets = new Map<string, { tokens: number; at: number }>()
  return (name: string, limit: RateLimit): number => {
    const t = now()
    const bucket = buckets.get(name) ?? { tokens: limit.burst, at: t }
    // A clock moved back (tests pin and move it; NTP steps) refills nothing and drains nothing.
    const elapsedMs = Math.max(0, t - bucket.at)
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (elapsedMs / 1000) * limit.perSecond)
    bucket.at = t
    // Re-inserting keeps the Map in least-recently-used order, so eviction drops idle buckets.
    buckets.delete(name)
    buckets.set(name, bucket)
    if (buckets.size > maxBuckets) buckets.delete(buckets.keys().next().value!)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return ((1 - bucket.tokens) / limit.perSecond) * 1000
  }
}
