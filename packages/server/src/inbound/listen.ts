import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Db } from '../store/index.ts'
import type { InboundFeed, InboundNotice } from './feed.ts'
import { findInboundRequest } from './request-store.ts'
import { inboundRequestOut } from './schemas.ts'

// Proxies close idle streams after about a minute; a comment line keeps them open.
const heartbeatMs = 15_000

/**
 * Streams a trigger's requests as server-sent events: `event: request` with the logged request
 * (outcome, reason) each time one is judged, and again when it is routed.
 * @returns a function that ends the stream (the server ends open streams when it closes)
 */
export async function openListenStream(
  deps: { db: Db; feed: InboundFeed; projectId: string; triggerId: string },
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<() => void> {
  reply.hijack()
  const raw = reply.raw
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': request.id,
  })
  // Notices are handled in order, so a routed row never overtakes its judgement.
  let queue = Promise.resolve()
  // Each notice is sent with its own outcome: by the time the row is read, the router may have
  // routed an accepted request already, and the stream would skip its judgement.
  const send = async (notice: InboundNotice) => {
    const row = await findInboundRequest(deps.db.kysely, deps.projectId, notice.requestId)
    if (row && !raw.destroyed) {
      const out = { ...inboundRequestOut(row), outcome: notice.outcome }
      raw.write(`event: request\nid: ${row.id}:${out.outcome}\ndata: ${JSON.stringify(out)}\n\n`)
    }
  }
  const unsubscribe = deps.feed.subscribe((notice) => {
    if (notice.triggerId !== deps.triggerId) return
    queue = queue
      .then(() => send(notice))
      .catch((err: unknown) => request.log.warn({ err }, 'listen stream write failed'))
  })
  await deps.feed.ready()
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), heartbeatMs)
  const close = () => {
    clearInterval(heartbeat)
    unsubscribe()
  }
  raw.on('close', close)
  raw.write(`event: ready\ndata: ${JSON.stringify({ triggerId: deps.triggerId })}\n\n`)
  return () => {
    close()
    raw.end()
  }
}
