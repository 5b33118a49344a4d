import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

// Proxies close idle streams after about a minute; a comment line keeps them open.
const heartbeatMs = 15_000

/**
 * One server-sent-events response. Work queued with `enqueue` runs one item at a time in order
 * (so events go out in order) and only once `open` has written the headers and the `ready`
 * event; a failed item is logged and the queue goes on.
 */
export interface SseStream {
  enqueue(work: () => Promise<void>): void
  /**
   * Answers 200 `text/event-stream`, writes `event: ready` and starts the heartbeat.
   * `onClose` runs once when the connection closes, whoever closes it (unsubscribe there).
   */
  open(ready: unknown, onClose: () => void): void
  /** Writes one event; nothing once the client is gone. */
  send(event: string, data: unknown, id?: string): void
  /** Whether the client is gone (writers stop paging). */
  readonly closed: boolean
}

/**
 * The SSE streams of a plugin: the returned function makes one per request, and every open one
 * is ended before the server closes (open streams would hold the close forever).
 * @example const openSse = sseStreams(app); openSse(request, reply).open({ ok: true }, unsubscribe)
 */
export function sseStreams(
  app: FastifyInstance,
): (request: FastifyRequest, reply: FastifyReply) => SseStream {
  const ends = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const end of ends) end()
  })
  return (request, reply) => createSseStream(request, reply, ends)
}

function createSseStream(
  request: FastifyRequest,
  reply: FastifyReply,
  ends: Set<() => void>,
): SseStream {
  const raw = reply.raw
  let start!: () => void
  let queue = new Promise<void>((resolve) => (start = resolve))
  let closed = false
  return {
    get closed() {
      return closed || raw.destroyed
    },
    enqueue(work) {
      queue = queue
        .then(work)
        .catch((err: unknown) => request.log.warn({ err }, 'server-sent events write failed'))
    },
    open(ready, onClose) {
      reply.hijack()
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-request-id': request.id,
      })
      raw.write(`event: ready\ndata: ${JSON.stringify(ready)}\n\n`)
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), heartbeatMs)
      const close = () => {
        if (closed) return
        closed = true
        clearInterval(heartbeat)
        ends.delete(end)
        onClose()
      }
      const end = () => {
        close()
        raw.end()
      }
      ends.add(end)
      raw.on('close', close)
      if (raw.destroyed) close()
      start()
    },
    send(event, data, id) {
      if (closed || raw.destroyed) return
      const idLine = id === undefined ? '' : `id: ${id}\n`
      raw.write(`event: ${event}\n${idLine}data: ${JSON.stringify(data)}\n\n`)
    },
  }
}
