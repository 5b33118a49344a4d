import type { Db } from './db.ts'

/**
 * The process's one LISTEN on a channel, shared by every subscriber (one connection however
 * many streams are open). Starts on the first subscriber; on PostgreSQL NOTIFY crosses
 * processes, so a subscriber on one process sees what another process announced. Payloads
 * `parse` refuses (null) are dropped. A LISTEN that fails is tried again by the next subscriber
 * instead of every later one failing on a stale rejection; workers that subscribe without
 * awaiting `ready()` rely on their polling fallback meanwhile.
 * @example const feed = new ListenFeed(db, 'switchyard_events', parseNotice)
 */
export class ListenFeed<Notice> {
  private readonly db: Db
  private readonly channel: string
  private readonly parse: (payload: string) => Notice | null
  private readonly subscribers = new Set<(notice: Notice) => void>()
  private listening: Promise<() => Promise<void>> | null = null
  private closed = false

  constructor(db: Db, channel: string, parse: (payload: string) => Notice | null) {
    this.db = db
    this.channel = channel
    this.parse = parse
  }

  /** @returns the function that unsubscribes */
  subscribe(fn: (notice: Notice) => void): () => void {
    this.subscribers.add(fn)
    if (!this.closed && !this.listening) {
      this.listening = this.db.listen(this.channel, (payload) => this.publish(payload))
      this.listening.catch(() => {
        this.listening = null
      })
    }
    return () => {
      this.subscribers.delete(fn)
    }
  }

  /**
   * Subscribes and resolves once the LISTEN is in place, so a stream can fail with an ordinary
   * error response before it answers.
   * @throws what the LISTEN failed with (the subscriber is removed)
   */
  async subscribeListening(fn: (notice: Notice) => void): Promise<() => void> {
    const unsubscribe = this.subscribe(fn)
    try {
      await this.ready()
    } catch (error) {
      unsubscribe()
      throw error
    }
    return unsubscribe
  }

  /** Resolves once the LISTEN is in place (tests send after it). */
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
    const notice = this.parse(payload)
    if (notice === null) return
    for (const fn of this.subscribers) fn(notice)
  }
}
