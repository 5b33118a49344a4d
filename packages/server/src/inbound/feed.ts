import type { Db } from '../store/index.ts'
import { inboundChannel, type InboundOutcomeName } from './store.ts'

/** One judged or routed request, as announced on the inbound channel. */
export interface InboundNotice {
  triggerId: string
  requestId: string
  outcome: InboundOutcomeName
}

type Subscriber = (notice: InboundNotice) => void

/**
 * The process's one LISTEN on the inbound channel, shared by listen streams and the router
 * (one connection however many dashboards listen). Starts on the first subscriber; NOTIFY
 * crosses processes on PostgreSQL, so a stream on an API process sees requests any process took.
 */
export class InboundFeed {
  private readonly db: Db
  private readonly subscribers = new Set<Subscriber>()
  private listening: Promise<() => Promise<void>> | null = null
  private closed = false

  constructor(db: Db) {
    this.db = db
  }

  /** @returns the function that unsubscribes */
  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn)
    if (!this.closed)
      this.listening ??= this.db.listen(inboundChannel, (payload) => this.publish(payload))
    return () => {
      this.subscribers.delete(fn)
    }
  }

  /** Resolves once the LISTEN is in place (tests and streams send after it). */
  async ready(): Promise<void> {
    await this.listening
  }

  async close(): Promise<void> {
    this.closed = true
    this.subscribers.clear()
    const stop = await this.listening?.catch(() => null)
    this.listening = null
    await stop?.()
  }

  private publish(payload: string): void {
    const [triggerId, requestId, outcome] = payload.split(':')
    if (!triggerId || !requestId || !outcome) return
    const notice = { triggerId, requestId, outcome: outcome as InboundOutcomeName }
    for (const fn of this.subscribers) fn(notice)
  }
}
