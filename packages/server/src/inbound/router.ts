import type { Logger } from 'pino'
import type { EventIn, Publisher } from '../events/index.ts'
import { withTransaction, type Db, sql, type Tx } from '../store/index.ts'
import { traceRouting } from '../tracing/index.ts'
import { eventsOf } from './event-payload.ts'
import type { InboundObserver, RoutedOutcome } from './receiver.ts'
import type { InboundFeed } from './feed.ts'
import { completeRouting, lockAcceptedRequests } from './request-store.ts'
import { viewOfRow } from './request-view.ts'
import { inSavepoint, recordRoutingFailures, type RoutingFailure } from './routing-failures.ts'
import { routeRequest, type RouteTarget } from './routing.ts'
import { findTriggerCached, type InboundRequestRow } from './store.ts'
import type { TriggerRow } from './types.ts'

export interface RouterOptions {
  /** Most requests one claim takes. (Default: 50) */
  batchSize: number
  /** How long a request whose routing failed waits before it is tried again. (Default: 60 s) */
  leaseMs: number
  /** Fallback poll when no NOTIFY arrives. (Default: 1 s) */
  pollMs: number
  /**
   * Failed tries after which a request ends `failed` (alerted, replayable); the wait between
   * tries doubles from `leaseMs`. (Default: 5, so about 15 minutes at the default lease)
   */
  maxAttempts: number
}

export interface RouterDeps {
  db: Db
  publisher: Publisher
  now: () => Date
  log: Logger
  publicUrl: string
  feed: InboundFeed
  observe?: InboundObserver
}

/**
 * Routes accepted inbound requests after they were answered: claims rows, finds their
 * credentials, and publishes one `trigger.received` per target. Driven only by rows,
 * so a crash after the answer loses nothing; events and the routed mark commit together, so a
 * crash never emits twice.
 */
export class InboundRouter {
  readonly name = 'inbound-router'
  private readonly deps: RouterDeps
  private readonly options: RouterOptions
  private timer: NodeJS.Timeout | null = null
  private unsubscribe: (() => void) | null = null
  private running: Promise<void> | null = null
  private again = false
  private stopped = true
  /** Outcomes of the batch under way, reported once its transaction commits. */
  private routedInBatch: RoutedOutcome[] = []

  constructor(deps: RouterDeps, options: Partial<RouterOptions> = {}) {
    this.deps = deps
    this.options = { batchSize: 50, leaseMs: 60_000, pollMs: 1000, maxAttempts: 5, ...options }
  }

  async start(): Promise<void> {
    this.stopped = false
    this.unsubscribe = this.deps.feed.subscribe((n) => {
      if (n.outcome === 'accepted') this.wake()
    })
    this.timer = setInterval(() => this.wake(), this.options.pollMs)
    this.timer.unref()
    this.wake()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    this.unsubscribe?.()
    await this.running
  }

  /** Routes until no accepted request is left; calls while running schedule one more pass. */
  wake(): void {
    if (this.stopped) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.drain()
      .catch((err: unknown) => this.deps.log.error({ err }, 'inbound routing failed'))
      .finally(() => {
        this.running = null
        if (this.again) {
          this.again = false
          this.wake()
        }
      })
  }

  private async drain(): Promise<void> {
    for (;;) {
      this.routedInBatch = []
      const routed = await withTransaction(this.deps.db.kysely, (tx) => this.routeBatch(tx))
      this.reportRouted()
      if (routed < this.options.batchSize || this.stopped) return
    }
  }

  /**
   * Locks a batch of accepted requests and routes them in one transaction: their events and
   * their routed marks commit together, so a crash never loses nor emits twice, and no write
   * claims them first (a lease per request cost an update of each row and a commit per batch).
   * A request that fails is kept apart from its batch-mates (savepoints) and tried again later,
   * up to `maxAttempts` times (routing-failures.ts).
   * @returns how many requests it locked
   */
  private async routeBatch(tx: Tx): Promise<number> {
    const now = this.deps.now()
    const rows = await lockAcceptedRequests(tx, { now, limit: this.options.batchSize })
    const { plans, failures } = await this.plan(tx, rows)
    for (const group of groupByProject(plans)) failures.push(...(await this.emitApart(tx, group)))
    await recordRoutingFailures(tx, failures, { ...this.deps, ...this.options, now })
    return rows.length
  }

  /** Finds each locked request's targets; a request whose routing fails is retried after the lease. */
  private async plan(
    tx: Tx,
    rows: InboundRequestRow[],
  ): Promise<{ plans: RoutingPlan[]; failures: RoutingFailure[] }> {
    const { publicUrl } = this.deps
    const triggers = new Map<string, TriggerRow | null>()
    const plans: RoutingPlan[] = []
    const failures: RoutingFailure[] = []
    // Planning only reads; a read that fails aborts the transaction, and going back to here
    // lets the rest of the batch go on (one savepoint a batch, not one a request).
    await sql`savepoint route_plan`.execute(tx)
    for (const row of rows) {
      let trigger: TriggerRow | null | undefined
      try {
        if (!triggers.has(row.trigger_id))
          triggers.set(row.trigger_id, await findTriggerCached(tx, row.trigger_id))
        trigger = triggers.get(row.trigger_id)
        // Deleted under way: its requests go with it; until then the lease keeps them aside.
        if (!trigger) throw new Error(`trigger ${row.trigger_id} not found`)
        const view = viewOfRow(row, publicUrl)
        const found = trigger
        const { routed, traceContext } = await traceRouting(row, () =>
          routeRequest(tx, found, row, view),
        )
        const { targets, held } = holdInvalid(trigger, row, routed)
        const events = eventsOf(trigger, row, view, targets)
        // Each request's events belong to its own trace (batch-mates' are others').
        if (traceContext) for (const event of events) event.traceContext = traceContext
        plans.push({ row, trigger, targets, held, events })
      } catch (error) {
        await sql`rollback to savepoint route_plan`.execute(tx)
        failures.push({ row, trigger: trigger ?? null, error })
      }
    }
    await sql`release savepoint route_plan`.execute(tx)
    return { plans, failures }
  }

  /**
   * Emits one project's requests together; when that fails, each request alone, so a request
   * that cannot be stored (or fanned out) neither rolls back nor holds its batch-mates.
   * @returns the requests that failed alone
   */
  private async emitApart(tx: Tx, group: RoutingPlan[]): Promise<RoutingFailure[]> {
    const error = await inSavepoint(tx, () => this.emit(tx, group))
    if (error === undefined) return []
    if (group.length === 1) return [{ row: group[0]!.row, trigger: group[0]!.trigger, error }]
    const failures: RoutingFailure[] = []
    for (const plan of group) {
      const alone = await inSavepoint(tx, () => this.emit(tx, [plan]))
      if (alone !== undefined) failures.push({ row: plan.row, trigger: plan.trigger, error: alone })
    }
    return failures
  }

  /** Stores the events of one project's requests and marks the requests routed, in `tx`. */
  private async emit(tx: Tx, plans: RoutingPlan[]): Promise<void> {
    const stored = await this.deps.publisher.publish(
      tx,
      plans[0]!.row.project_id,
      plans.flatMap((p) => p.events),
    )
    // The rows come back in the order given: each plan's events follow the plan before.
    let next = 0
    const completions = plans.map(({ row, targets, held, events }) => {
      const released = row.held_credential_ids !== null
      const routedBefore = released && (row.routed_credential_ids ?? []).length > 0
      const eventIds = stored.slice(next, (next += events.length)).map((e) => e.id)
      const outcome: RoutedOutcome =
        held.length > 0 ? 'held' : targets.length > 0 || routedBefore ? 'routed' : 'unrouted'
      return {
        id: row.id,
        outcome,
        eventIds,
        credentialIds: [
          ...new Set(targets.flatMap((t) => (t.credential ? [t.credential.id] : []))),
        ],
        heldCredentialIds: held,
        append: released,
      }
    })
    await completeRouting(tx, completions, this.deps.now())
    for (const completion of completions) this.routedInBatch.push(completion.outcome)
  }

  /** Counts the committed batch's outcomes (metrics/); a batch rolled back counts nothing. */
  private reportRouted(): void {
    const observe = this.deps.observe
    if (!observe || this.routedInBatch.length === 0) return
    const counts = new Map<RoutedOutcome, number>()
    for (const outcome of this.routedInBatch) counts.set(outcome, (counts.get(outcome) ?? 0) + 1)
    for (const [outcome, count] of counts) observe.routed(outcome, count)
  }
}

interface RoutingPlan {
  row: InboundRequestRow
  trigger: TriggerRow
  targets: RouteTarget[]
  /** INVALID credentials the request waits for (trigger invalidCredentials "hold"). */
  held: string[]
  events: EventIn[]
}

/**
 * Splits targets into those to emit now and the INVALID credentials to wait for. A released held
 * request goes only to the credentials it was held for: the others already have their event.
 */
function holdInvalid(
  trigger: TriggerRow,
  row: InboundRequestRow,
  all: RouteTarget[],
): { targets: RouteTarget[]; held: string[] } {
  const waiting = row.held_credential_ids
  const pending = waiting
    ? all.filter((t) => t.credential !== null && waiting.includes(t.credential.id))
    : all
  if (trigger.invalid_credentials !== 'hold') return { targets: pending, held: [] }
  const isInvalid = (t: RouteTarget) => t.credential?.status === 'INVALID'
  return {
    targets: pending.filter((t) => !isInvalid(t)),
    held: [...new Set(pending.filter(isInvalid).map((t) => t.credential!.id))],
  }
}

function groupByProject(plans: RoutingPlan[]): RoutingPlan[][] {
  const groups = new Map<string, RoutingPlan[]>()
  for (const plan of plans) {
    const group = groups.get(plan.row.project_id) ?? []
    group.push(plan)
    groups.set(plan.row.project_id, group)
  }
  return [...groups.values()]
}
