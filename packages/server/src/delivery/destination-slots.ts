import type { DestinationLoad } from './store.ts'

/** What this process is sending per destination, and each rate-limited one's token bucket. */
export interface DestinationSlots {
  /** Sends in flight across all destinations. */
  total(): number
  /** The load to hand the claim, for destinations with sends in flight or a draining bucket. */
  load(): DestinationLoad[]
  acquire(destination: { id: string; ratePerSecond: number | null }): void
  release(destinationId: string): void
  /** Milliseconds until a rate-limited destination earns its next token, or null. */
  nextTokenInMs(): number | null
}

interface Bucket {
  tokens: number
  rate: number
  at: number
}

/**
 * Per-destination bookkeeping for the claim. Buckets hold one second's worth of tokens, so a
 * destination limited to 5/s gets bursts of at most 5; they refill on the injected clock.
 * @example const slots = createDestinationSlots(() => new Date())
 */
export function createDestinationSlots(now: () => Date): DestinationSlots {
  const inFlight = new Map<string, number>()
  const buckets = new Map<string, Bucket>()
  let total = 0

  const refill = (bucket: Bucket, at: number) => {
    bucket.tokens = Math.min(bucket.rate, bucket.tokens + ((at - bucket.at) / 1000) * bucket.rate)
    bucket.at = at
  }

  return {
    total: () => total,
    load: () => {
      const at = now().getTime()
      for (const [id, bucket] of buckets) {
        refill(bucket, at)
        if (bucket.tokens >= bucket.rate && !inFlight.has(id)) buckets.delete(id)
      }
      const ids = new Set([...inFlight.keys(), ...buckets.keys()])
      return [...ids].map((id) => ({
        destinationId: id,
        inFlight: inFlight.get(id) ?? 0,
        tokens: buckets.has(id) ? Math.floor(buckets.get(id)!.tokens) : null,
      }))
    },
    acquire: ({ id, ratePerSecond }) => {
      total += 1
      inFlight.set(id, (inFlight.get(id) ?? 0) + 1)
      if (ratePerSecond === null) return
      const at = now().getTime()
      const bucket = buckets.get(id) ?? { tokens: ratePerSecond, rate: ratePerSecond, at }
      bucket.rate = ratePerSecond
      refill(bucket, at)
      bucket.tokens -= 1
      buckets.set(id, bucket)
    },
    release: (destinationId) => {
      total -= 1
      const left = (inFlight.get(destinationId) ?? 1) - 1
      if (left > 0) inFlight.set(destinationId, left)
      else inFlight.delete(destinationId)
    },
    nextTokenInMs: () => {
      let soonest: number | null = null
      for (const bucket of buckets.values()) {
        if (bucket.tokens >= 1) continue
        const wait = Math.ceil(((1 - bucket.tokens) / bucket.rate) * 1000)
        soonest = soonest === null ? wait : Math.min(soonest, wait)
      }
      return soonest
    },
  }
}
