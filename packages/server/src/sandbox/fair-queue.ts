/**
 * Jobs waiting per tenant (a project), served in rounds: in each round every tenant with work
 * waiting gets one job, so one tenant's backlog delays another's job by at most one job per
 * tenant, not by the whole backlog (issue 24: a FIFO let 40 requests to one project's trigger
 * hold another project's `/hooks` answer for 26.8 s). A tenant that arrives, or comes back,
 * joins the current round unless it was already served in it. Each tenant may have `limit` jobs
 * waiting; past it `push` refuses, and only that tenant is turned away. A tenant the caller
 * holds back (`eligible`: the pool caps how many threads one tenant takes) keeps its turn.
 */
export interface FairQueue<T> {
  /** Queues `item` for `tenant`; false when that tenant already has `limit()` jobs waiting. */
  push(tenant: string, item: T): boolean
  /** The next job by round of a tenant that is `eligible`, or undefined when none is waiting. */
  shift(eligible?: (tenant: string) => boolean): T | undefined
  /** Takes every waiting job out (the sandbox could not start). */
  drain(): T[]
  /** How many jobs `tenant` has waiting. */
  waiting(tenant: string): number
  readonly size: number
}

/** @example const queue = createFairQueue<Job>(() => 32); queue.push(projectId, job) */
export function createFairQueue<T>(limit: () => number): FairQueue<T> {
  const queues = new Map<string, T[]>()
  // Tenants with work waiting, each in exactly one list: not yet served this round, or served.
  let current: string[] = []
  let next: string[] = []
  let served = new Set<string>()
  let size = 0

  return {
    push(tenant, item) {
      let queue = queues.get(tenant)
      if ((queue?.length ?? 0) >= limit()) return false
      if (!queue) {
        queue = []
        queues.set(tenant, queue)
        // Coming back in the round it was served in must not put it ahead of the others again.
        ;(served.has(tenant) ? next : current).push(tenant)
      }
      queue.push(item)
      size++
      return true
    },
    shift(eligible = () => true) {
      if (current.length === 0) {
        current = next
        next = []
        served = new Set()
      }
      let tenant = take(current, eligible)
      // Everyone due this round is held back: serve one already served, rather than no one.
      if (tenant === undefined) tenant = take(next, eligible)
      if (tenant === undefined) return undefined
      const queue = queues.get(tenant)!
      const item = queue.shift()!
      size--
      served.add(tenant)
      if (queue.length === 0) queues.delete(tenant)
      else next.push(tenant)
      return item
    },
    drain() {
      const items = [...queues.values()].flat()
      queues.clear()
      current = []
      next = []
      size = 0
      return items
    },
    waiting: (tenant) => queues.get(tenant)?.length ?? 0,
    get size() {
      return size
    },
  }
}

/** Removes and returns the first tenant of `list` that is eligible. */
function take(list: string[], eligible: (tenant: string) => boolean): string | undefined {
  const index = list.findIndex(eligible)
  return index === -1 ? undefined : list.splice(index, 1)[0]
}
