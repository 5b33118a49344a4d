import { aimdNext, aimdStart, paceLifetimeMs, type AimdState } from './aimd.ts'
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
  /** How many projects started a send in the last `withinMs`. */
  activeProjects(withinMs: number): number
  acquire(holder: SlotHolder): void
  release(holder: Pick<SlotHolder, 'id' | 'projectId' | 'retry'>): void
  /** Feeds one attempt's outcome to the destination's adaptive limit. */
  observe(id: string, outcome: AttemptOutcome, startedAt: Date, max: number): void
  /** The destination's adaptive limit, or null when at its maximum. */
  limitOf(id: string): number | null
  /** The destination's sends in flight here. */
  inFlightOf(id: string): number
  /** The project's sends in flight here. */
  projectInFlightOf(projectId: string): number
  setWeight(projectId: string, weight: number): void
  /** Milliseconds until a destination earns its next token or its Retry-After ends, or null. */
  nextTokenInMs(): number | null
}

interface Bucket {
  tokens: number
  rate: number
  /** Most tokens it holds: a second's worth, or a tenth of one under an AIMD pace. */
  capacity: number
  at: number
}

/**
 * Per-destination bookkeeping for the claim. Buckets hold one second's worth of tokens, so a
 * destination limited to 5/s gets bursts of at most 5; they refill on the injected clock. A
 * bucket runs at the configured rate or the AIMD pace (aimd.ts), whichever is lower.
 * @example const slots = createDestinationSlots(() => new Date())
 */
export function createDestinationSlots(now: () => Date): DestinationSlots {
  const inFlight = new Map<string, number>()
  const buckets = new Map<string, Bucket>()
  const aimd = new Map<string, AimdState & { max: number }>()
  // Success times of the last second per destination: the pace an AIMD decrease learns.
  const recentSuccesses = new Map<string, number[]>()
  const projectInFlight = new Map<string, number>()
  const projectLastSend = new Map<string, number>()
  const weights = new Map<string, number>()
  let total = 0
  let retries = 0

  const refill = (bucket: Bucket, at: number) => {
    bucket.tokens = Math.min(
      bucket.capacity,
      bucket.tokens + ((at - bucket.at) / 1000) * bucket.rate,
    )
    bucket.at = at
  }
  const bump = (map: Map<string, number>, key: string, by: number) => {
    const left = (map.get(key) ?? 0) + by
    if (left > 0) map.set(key, left)
    else map.delete(key)
  }
  // A pace lasts a calm minute, whether or not results keep coming to drop it (aimd.ts).
  const pacing = (state: AimdState | undefined, at: number) =>
    state !== undefined && state.rate !== null && at - state.decreasedAt < paceLifetimeMs
  // A destination back at its maximum, unblocked, unpaced and idle needs no entry.
  const settled = (id: string, state: AimdState & { max: number }, at: number) =>
    state.limit >= state.max && state.blockedUntil <= at && !pacing(state, at) && !inFlight.has(id)
  const countSuccess = (id: string, at: number, delivered: boolean): number => {
    let times = recentSuccesses.get(id)
    if (!times) {
      if (!delivered) return 0
      recentSuccesses.set(id, (times = []))
    }
    if (delivered) times.push(at)
    let old = 0
    while (old < times.length && times[old]! <= at - 1000) old++
    if (old > 0) times.splice(0, old)
    if (times.length === 0) recentSuccesses.delete(id)
    return times.length
  }

  return {
    total: () => total,
    retries: () => retries,
    load: () => {
      const at = now().getTime()
      for (const [id, bucket] of buckets) {
        refill(bucket, at)
        // A paced bucket stays: without it the claim would send a whole window at once.
        const paced = pacing(aimd.get(id), at)
        if (bucket.tokens >= bucket.capacity && !inFlight.has(id) && !paced) buckets.delete(id)
      }
      for (const [id, state] of aimd)
        if (settled(id, state, at)) {
          aimd.delete(id)
          recentSuccesses.delete(id)
        }
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
    activeProjects: (withinMs) => {
      const since = now().getTime() - withinMs
      for (const [projectId, at] of projectLastSend)
        if (at < since) projectLastSend.delete(projectId)
      return projectLastSend.size
    },
    acquire: (holder) => {
      projectLastSend.set(holder.projectId, now().getTime())
      total += 1
      if (holder.retry) retries += 1
      bump(inFlight, holder.id, 1)
      bump(projectInFlight, holder.projectId, 1)
      if (!aimd.has(holder.id) && holder.storedLimit !== null)
        aimd.set(holder.id, {
          ...aimdStart(holder.maxConcurrency, holder.storedLimit),
          max: holder.maxConcurrency,
        })
      const state = aimd.get(holder.id)
      const pace = pacing(state, now().getTime()) ? state!.rate : null
      const rate =
        holder.ratePerSecond === null || pace === null
          ? (holder.ratePerSecond ?? pace)
          : Math.min(holder.ratePerSecond, pace)
      if (rate === null) {
        buckets.delete(holder.id)
        return
      }
      const at = now().getTime()
      // A pace spreads its sends over the second: a receiver that counts per second would
      // refuse the tail of a second's worth sent at once, and its Retry-After would then
      // cost the next second (bench/self-healing (b)).
      const capacity = rate === holder.ratePerSecond ? rate : Math.max(1, rate / 10)
      const bucket = buckets.get(holder.id) ?? { tokens: capacity, rate, capacity, at }
      bucket.rate = rate
      bucket.capacity = capacity
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
      const next = aimdNext(state, {
        outcome,
        startedAt: startedAt.getTime(),
        now: at,
        max,
        recentSuccesses: countSuccess(id, at, outcome.kind === 'delivered'),
      })
      aimd.set(id, { ...next, max })
    },
    limitOf: (id) => {
      const state = aimd.get(id)
      return state && state.limit < state.max ? state.limit : null
    },
    inFlightOf: (id) => inFlight.get(id) ?? 0,
    projectInFlightOf: (projectId) => projectInFlight.get(projectId) ?? 0,
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
