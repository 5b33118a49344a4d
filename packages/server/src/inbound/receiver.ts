import type { SecretBox } from '../secrets/index.ts'
import { groupCommit, type Db } from '../store/index.ts'
import { insertInboundRequests, type NewInboundRequest } from './request-store.ts'
import type { InboundOutcomeName } from './store.ts'
import type { TriggerRow } from './types.ts'

export interface ReceiveDeps {
  db: Db
  box: SecretBox
  now: () => Date
  publicUrl: string
  /** Hears of every answer: its outcome and a reason from a closed set (metrics/). */
  observe?: InboundObserver
}

/** Where the router sent an accepted request. */
export type RoutedOutcome = 'routed' | 'unrouted' | 'held'

/** What /metrics counts of /hooks; the reason is the outcome's kind (`too_large`, `refused`…). */
export interface InboundObserver {
  answered(outcome: InboundOutcomeName, reason: string): void
  routed(outcome: RoutedOutcome, count: number): void
}

/** What /hooks needs per process: the deps and the group commit its requests share. */
export interface Receiver extends ReceiveDeps {
  storeRequest: (row: NewInboundRequest) => Promise<void>
}

/** @example const receiver = createReceiver(deps); await receiveHook(receiver, hook) */
export function createReceiver(deps: ReceiveDeps): Receiver {
  // Concurrent requests share one insert (bench/inbound: a statement per request is the cost
  // of a busy /hooks).
  const insert = groupCommit(async (rows: NewInboundRequest[]) => {
    await insertInboundRequests(deps.db.kysely, rows)
    return rows.map(() => undefined)
  })
  return { ...deps, storeRequest: insert }
}

/** A request to /hooks/:triggerId as it arrived. */
export interface IncomingHook {
  triggerId: string
  method: string
  path: string
  queryString: string
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  /** The trigger, when the route already found it (before reading the body). */
  trigger?: TriggerRow
}
