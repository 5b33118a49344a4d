import { aimdNext, aimdStart, type AimdState } from './aimd.ts'
import type { DestinationLoad, ProjectLoad } from './store.ts'
import type { AttemptOutcome } from './types.ts'

/** One claimed delivery as the slots count it. */
export interface SlotHolder {
  id: string
  projectId: string
  ratePerSecond: number | null
  maxConcurrency: number
  /** The adaptive limit the store holds (another worker's view), for a destination new here. */
  storedLimit: number | null
  /** Not its first attempt. */
  retry: boolean
}

/**
 * What this process is sending per destination and per project: in-flight counts, each
 * rate-limited destination's token bucket, each destination's adaptive (AIMD) limit and
 * Retry-After block, and how many sends are retries.
 */
export interface DestinationSlots {
  /** Sends in flight across all destinations. */
  total(): number
  /** Retries in flight across all destinations. */
  retries(): number
  /** The load to hand the claim, for destinations with sends in flight, a draining bucket or a lowered limit. */
  load(): DestinationLoad[]
  /** Per project with sends in flight: how many, and its weight. */
  projects(): ProjectLoad[]
  acquire(holder: SlotHolder): void
  release(holder: Pick<SlotHolder, 'id' | 'projectId' | 'retry'>): void
  /** Feeds one attempt's outcome to the destination's adaptive limit. */
  observe(id: string, outcome: AttemptOutcome, startedAt: Date, max: number): void
  /** The destination's adaptive limit, or null when at its maximum. */
  limitOf(id: string): number | null
  setWeight(projectId: string, weight: number): void
  /** Milliseconds until a destination earns its next token or its Retry-After ends, or null. */
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
  const aimd = new Map<string, AimdState & { max: number }>()
  const projectInFlight = new Map<string, number>()
  const weights = new Map<string, number>()
  let total = 0
  let retries = 0

  const refill = (bucket: Bucket, at: number) => {
    bucket.tokens = Math.min(bucket.rate, bucket.tokens + ((at - bucket.at) / 1000) * bucket.rate)
    bucket.at = at
  }
  const bump = (map: Map<string, number>, key: string, by: number) => {
    const left = (map.get(key) ?? 0) + by
    if (left > 0) map.set(key, left)
    else map.delete(key)
  }
  // A destination back at its maximum, unblocked and idle needs no entry.
  const settled = (id: string, state: AimdState & { max: number }, at: number) =>
    state.limit >= state.max && state.blockedUntil <= at && !inFlight.has(id)

  return {
    total: () => total,
    retries: () => retries,
    load: () => {
      const at = now().getTime()
      for (const [id, bucket] of buckets) {
        refill(bucket, at)
        if (bucket.tokens >= bucket.rate && !inFlight.has(id)) buckets.delete(id)
      }
      for (const [id, state] of aimd) if (settled(id, state, at)) aimd.delete(id)
      const ids = new Set([...inFlight.keys(), ...buckets.keys(), ...aimd.keys()])
      return [...ids].map((id) => {
        const state = aimd.get(id)
        const blocked = state !== undefined && state.blockedUntil > at
        return {
          destinationId: id,
          inFlight: inFlight.get(id) ?? 0,
          tokens: blocked ? 0 : buckets.has(id) ? Math.floor(buckets.get(id)!.tokens) : null,
          limit: state ? state.limit : null,
        }
      })
    },
    projects: () =>
      [...projectInFlight].map(([projectId, n]) => ({
        projectId,
        inFlight: n,
        weight: weights.get(projectId) ?? 1,
      })),
    acquire: (holder) => {
      total += 1
      if (holder.retry) retries += 1
      bump(inFlight, holder.id, 1)
      bump(projectInFlight, holder.projectId, 1)
      if (!aimd.has(holder.id) && holder.storedLimit !== null)
        aimd.set(holder.id, {
          ...aimdStart(holder.maxConcurrency, holder.storedLimit),
          max: holder.maxConcurrency,
        })
      const rate = holder.ratePerSecond
      if (rate === null) return
      const at = now().getTime()
      const bucket = buckets.get(holder.id) ?? { tokens: rate, rate, at }
      bucket.rate = rate
      refill(bucket, at)
      bucket.tokens -= 1
      buckets.set(holder.id, bucket)
    },
    release: (holder) => {
      total -= 1
      if (holder.retry) retries -= 1
      bump(inFlight, holder.id, -1)
      bump(projectInFlight, holder.projectId, -1)
    },
    observe: (id, outcome, startedAt, max) => {
      const state = aimd.get(id) ?? { ...aimdStart(max), max }
      const at = now().getTime()
      const next = aimdNext(state, { outcome, startedAt: startedAt.getTime(), now: at, max })
      aimd.set(id, { ...next, max })
    },
    limitOf: (id) => {
      const state = aimd.get(id)
      return state && state.limit < state.max ? state.limit : null
    },
    setWeight: (projectId, weight) => {
      weights.set(projectId, weight)
    },
    nextTokenInMs: () => {
      let soonest: number | null = null
      const consider = (wait: number) => {
        soonest = soonest === null ? wait : Math.min(soonest, wait)
      }
      for (const bucket of buckets.values()) {
        if (bucket.tokens >= 1) continue
        consider(Math.ceil(((1 - bucket.tokens) / bucket.rate) * 1000))
      }
      const at = now().getTime()
      for (const state of aimd.values())
        if (state.blockedUntil > at) consider(state.blockedUntil - at)
      return soonest
    },
  }
}
