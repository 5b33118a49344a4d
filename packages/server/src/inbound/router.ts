import type { Logger } from 'pino'
import { ApiError } from '../errors.ts'
import { ingestEvents, type EventIn, type FanOut } from '../events/index.ts'
import type { Db } from '../store/index.ts'
import type { InboundFeed } from './feed.ts'
import { claimAcceptedRequests, completeRouting } from './request-store.ts'
import { viewOfRow } from './request-view.ts'
import { routeRequest, type RouteTarget } from './routing.ts'
import { findTrigger, type InboundRequestRow } from './store.ts'
import type { RequestView, TriggerRow } from './types.ts'

export interface RouterOptions {
  /** Most requests one claim takes. (Default: 50) */
  batchSize: number
  /** How long a claim holds a row before another router may take it. (Default: 60 s) */
  leaseMs: number
  /** Fallback poll when no NOTIFY arrives. (Default: 1 s) */
  pollMs: number
}

// Headers that carry the sender's credentials are not forwarded to destinations.
const withheldHeaders = new Set(['authorization', 'cookie', 'proxy-authorization'])

export interface RouterDeps {
  db: Db
  fanOut: FanOut
  now: () => Date
  log: Logger
  publicUrl: string
  feed: InboundFeed
}

/**
 * Routes accepted inbound requests after they were answered: claims rows, finds their
 * credentials, and emits one `trigger.received` per target through ingest. Driven only by rows,
 * so a crash after the answer loses nothing; the ingest idempotency key (the request id) makes a
 * repeated run after a crash store no second event.
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

  constructor(deps: RouterDeps, options: Partial<RouterOptions> = {}) {
    this.deps = deps
    this.options = { batchSize: 50, leaseMs: 60_000, pollMs: 1000, ...options }
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
      const now = this.deps.now()
      const rows = await claimAcceptedRequests(this.deps.db.kysely, {
        now,
        leaseUntil: new Date(now.getTime() + this.options.leaseMs),
        limit: this.options.batchSize,
      })
      for (const row of rows) await this.route(row)
      if (rows.length < this.options.batchSize || this.stopped) return
    }
  }

  private async route(row: InboundRequestRow): Promise<void> {
    const { db, publicUrl } = this.deps
    const trigger = await findTrigger(db.kysely, row.trigger_id)
    if (!trigger) return
    const view = viewOfRow(row, publicUrl)
    try {
      const targets = await routeRequest(db, trigger, row, view)
      const eventIds = await this.emit(trigger, row, view, targets)
      await completeRouting(db.kysely, {
        id: row.id,
        outcome: targets.length > 0 ? 'routed' : 'unrouted',
        eventIds,
        credentialIds: [...new Set(targets.flatMap((t) => (t.credential ? [t.credential.id] : [])))],
        now: this.deps.now(),
      })
    } catch (err) {
      // The lease runs out and the row is tried again; the log says why it failed.
      this.deps.log.error({ err, inboundRequestId: row.id }, 'routing an inbound request failed')
    }
  }

  private async emit(trigger: TriggerRow, row: InboundRequestRow, view: RequestView, targets: RouteTarget[]): Promise<string[]> {
    const headers = Object.fromEntries(Object.entries(view.headers).filter(([k]) => !withheldHeaders.has(k)))
    const events: EventIn[] = targets.map((t) => ({
      type: 'trigger.received',
      userId: t.credential?.user_id,
      credentialId: t.credential?.id,
      integration: trigger.integration,
      occurredAt: row.received_at.toISOString(),
      data: {
        triggerId: trigger.id,
        trigger: trigger.name,
        inboundRequestId: row.id,
        payload: t.payload,
        headers,
        method: row.method,
        query: view.query,
      },
    }))
    const ids: string[] = []
    for (let i = 0; i < events.length; i += 1000) {
      const chunk = events.slice(i, i + 1000).map(dropUndefined)
      const key = `switchyard:inbound:${row.id}:${i / 1000}`
      try {
        const { events: stored } = await ingestEvents(
          this.deps.db.kysely,
          { projectId: row.project_id, events: chunk, idempotencyKey: key, requestBody: chunk, pathOf: (n) => `/events/${n}` },
          this.deps,
        )
        ids.push(...stored.map((e) => e.id))
      } catch (error) {
        // The credentials changed between a crashed run and this one: what was stored stands.
        if (!(error instanceof ApiError && error.code === 'idempotency_conflict')) throw error
      }
    }
    return ids
  }
}

function dropUndefined(event: EventIn): EventIn {
  return Object.fromEntries(Object.entries(event).filter(([, v]) => v !== undefined)) as unknown as EventIn
}
