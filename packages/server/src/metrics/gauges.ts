import {
  readBacklog,
  readDestinationHealth,
  type DestinationHealth,
  type ProjectBacklog,
} from '../delivery/index.ts'
import { sandboxLoad } from '../sandbox/index.ts'
import type { Db } from '../store/index.ts'
import { gauge, type Metrics } from './registry.ts'

/**
 * The gauges read from the store: the backlog and destination health, one read of each per
 * `intervalMs` whatever the scrape rate (a cache in front of the queries), shared by every
 * gauge that shows it. Also the sandbox and the connection pool, read from memory at each scrape.
 * @example addStoreGauges(metrics, { db, now, intervalMs: 15_000 })
 */
export function addStoreGauges(
  metrics: Metrics,
  deps: { db: Db; now: () => Date; intervalMs: number },
): void {
  const backlog = cached(deps.intervalMs, () => readBacklog(deps.db.kysely, deps.now()))
  const health = cached(deps.intervalMs, () => readDestinationHealth(deps.db.kysely))
  const perProject = (name: string, help: string, value: (row: ProjectBacklog) => number) =>
    gauge(metrics, {
      name,
      help,
      labelNames: ['project'],
      collect: async (g) => {
        g.reset()
        for (const row of await backlog()) g.set({ project: row.project_id }, value(row))
      },
    })
  perProject(
    'switchyard_deliveries_pending',
    'Deliveries not yet sent or being retried (status pending), due now or later.',
    (row) => row.pending,
  )
  perProject(
    'switchyard_deliveries_due',
    'Pending deliveries whose time has come: what the workers have yet to claim.',
    (row) => row.due,
  )
  perProject(
    'switchyard_deliveries_held',
    'Deliveries held while their destination is paused or disabled.',
    (row) => row.held,
  )
  perProject(
    'switchyard_oldest_due_delivery_age_seconds',
    'How long the oldest due delivery has waited past its time: how late the workers are.',
    (row) => row.oldest_due_seconds,
  )
  addHealthGauges(metrics, health)
  gauge(metrics, {
    name: 'switchyard_sandbox_threads',
    help: "Sandbox threads running custom code, by state (this process's pool).",
    labelNames: ['state'],
    collect: (g) => {
      const load = sandboxLoad()
      for (const state of ['starting', 'idle', 'busy'] as const) g.set({ state }, load[state])
    },
  })
  gauge(metrics, {
    name: 'switchyard_sandbox_queue_length',
    help: 'Custom-code runs waiting for a sandbox thread, all projects together.',
    labelNames: [],
    collect: (g) => g.set(sandboxLoad().waiting),
  })
  const poolUsage = deps.db.poolUsage
  if (poolUsage)
    gauge(metrics, {
      name: 'switchyard_store_pool_connections',
      help: 'PostgreSQL pool connections: total, idle, waiting (callers queued for one), max.',
      labelNames: ['state'],
      collect: (g) => {
        const usage = poolUsage()
        for (const state of ['total', 'idle', 'waiting', 'max'] as const)
          g.set({ state }, usage[state])
      },
    })
}

/**
 * Destination health, per project (destinations by state, the worst failure streak) or, when
 * the operator opts in, per destination (its state, streak and adaptive concurrency).
 */
function addHealthGauges(metrics: Metrics, health: () => Promise<DestinationHealth[]>): void {
  const states = ['enabled', 'paused', 'disabled'] as const
  gauge(metrics, {
    name: 'switchyard_destinations',
    help: 'Destinations by state (enabled, paused, disabled), per project.',
    labelNames: ['project', 'state'],
    collect: async (g) => {
      g.reset()
      const counts = new Map<string, Record<(typeof states)[number], number>>()
      for (const row of await health()) {
        const count = counts.get(row.project_id) ?? { enabled: 0, paused: 0, disabled: 0 }
        count[row.state]++
        counts.set(row.project_id, count)
      }
      for (const [project, count] of counts)
        for (const state of states) g.set({ project, state }, count[state])
    },
  })
  if (!metrics.perDestination) {
    gauge(metrics, {
      name: 'switchyard_destination_consecutive_failures_max',
      help: "The longest failure streak among a project's enabled destinations.",
      labelNames: ['project'],
      collect: async (g) => {
        g.reset()
        const worst = new Map<string, number>()
        for (const row of await health())
          if (row.state === 'enabled')
            worst.set(
              row.project_id,
              Math.max(worst.get(row.project_id) ?? 0, row.consecutive_failures),
            )
        for (const [project, failures] of worst) g.set({ project }, failures)
      },
    })
    return
  }
  const perDestination = (name: string, help: string, value: (row: DestinationHealth) => number) =>
    gauge(metrics, {
      name,
      help,
      labelNames: ['project', 'destination'],
      collect: async (g) => {
        g.reset()
        for (const row of await health())
          g.set({ project: row.project_id, destination: row.id }, value(row))
      },
    })
  perDestination(
    'switchyard_destination_consecutive_failures',
    "A destination's failure streak (the failure rule pauses it past its threshold).",
    (row) => row.consecutive_failures,
  )
  perDestination(
    'switchyard_destination_concurrency',
    "A destination's adaptive concurrency limit (its maxConcurrency when not lowered).",
    (row) => row.concurrency,
  )
  perDestination(
    'switchyard_destination_state',
    "A destination's state: 1 enabled, 0.5 paused, 0 disabled.",
    (row) => ({ enabled: 1, paused: 0.5, disabled: 0 })[row.state],
  )
}

/** `read`'s result, read again only after `ttlMs`; concurrent callers share one read. */
function cached<T>(ttlMs: number, read: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | null = null
  let readAt = 0
  return () => {
    if (value && performance.now() - readAt < ttlMs) return value
    readAt = performance.now()
    value = read()
    // A failed read is not kept: the next scrape tries again.
    value.catch(() => (value = null))
    return value
  }
}
