import { ListenFeed, type Db } from '../store/index.ts'
import { inboundChannel, type InboundOutcomeName } from './store.ts'

/** One judged or routed request, as announced on the inbound channel. */
export interface InboundNotice {
  triggerId: string
  requestId: string
  outcome: InboundOutcomeName
}

/**
 * The process's one LISTEN on the inbound channel, shared by listen streams and the router
 * (store/listen-feed.ts).
 */
export type InboundFeed = ListenFeed<InboundNotice>

/** @example const feed = createInboundFeed(db) */
export function createInboundFeed(db: Db): InboundFeed {
  return new ListenFeed(db, inboundChannel, (payload) => {
    const [triggerId, requestId, outcome] = payload.split(':')
    if (!triggerId || !requestId || !outcome) return null
    return { triggerId, requestId, outcome: outcome as InboundOutcomeName }
  })
}
