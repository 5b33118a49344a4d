import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { apiError } from '../errors.ts'

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

// Buckets live in process memory: each API process limits on its own, which is the point of a
// per-process guard (a runaway client or a provider's retry storm), not a billing meter.
const maxBuckets = 50_000

/**
 * Token buckets per API key and per trigger, checked in `onRequest` — before the body is read
 * and before anything is written — so a 429 means nothing was accepted and an accepted request
 * is never dropped. Answers 429 `rate_limited` with `Retry-After` in whole seconds.
 * @example installRateLimits(app, { perKey: { perSecond: 10_000, burst: 20_000 }, perTrigger: { perSecond: 1000, burst: 2000 } })
 */
export function installRateLimits(app: FastifyInstance, limits: RateLimits): void {
  const take = createBuckets(limits.now ?? Date.now)
  app.addHook('onRequest', async (request) => {
    const bucket = bucketOf(request)
    if (!bucket) return
    const limit = bucket.startsWith('hook:') ? limits.perTrigger : limits.perKey
    const waitMs = take(bucket, limit)
    if (waitMs > 0) {
      const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000))
      throw apiError(
        'rate_limited',
        `Too many requests for this ${bucket.startsWith('hook:') ? 'trigger' : 'key'}; retry after ${retryAfterSeconds} s.`,
        { retryAfterSeconds },
      )
    }
  })
}

function bucketOf(request: FastifyRequest): string | null {
  if (request.routeOptions.url === '/hooks/:triggerId') {
    const { triggerId } = request.params as { triggerId?: string }
    return triggerId ? `hook:${triggerId}` : null
  }
  const header = request.headers.authorization
  if (!header) return null
  // Hashed so that no bearer token sits in memory as a map key.
  return 'key:' + createHash('sha256').update(header).digest('base64url').slice(0, 22)
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
