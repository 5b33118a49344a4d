import type { SseStream } from '../http/sse.ts'
import type { Db } from '../store/index.ts'
import type { InboundFeed, InboundNotice } from './feed.ts'
import { findInboundRequest } from './request-store.ts'
import { inboundRequestOut } from './schemas.ts'

/**
 * Streams a trigger's requests as server-sent events: `event: request` with the logged request
 * (outcome, reason) each time one is judged, and again when it is routed. Subscribed before
 * answering, so a LISTEN that fails still gets an ordinary error response.
 */
export async function openListenStream(
  deps: { db: Db; feed: InboundFeed; projectId: string; triggerId: string },
  sse: SseStream,
): Promise<void> {
  // Each notice is sent with its own outcome: by the time the row is read, the router may have
  // routed an accepted request already, and the stream would skip its judgement. The queue
  // handles notices in order, so a routed row never overtakes its judgement.
  const send = async (notice: InboundNotice) => {
    const row = await findInboundRequest(deps.db.kysely, deps.projectId, notice.requestId)
    if (!row) return
    const out = { ...inboundRequestOut(row), outcome: notice.outcome }
    sse.send('request', out, `${row.id}:${out.outcome}`)
  }
  const unsubscribe = await deps.feed.subscribeListening((notice) => {
    if (notice.triggerId === deps.triggerId) sse.enqueue(() => send(notice))
  })
  sse.open({ triggerId: deps.triggerId }, unsubscribe)
}
