import type { Readable } from 'node:stream'
import type { FastifyRequest } from 'fastify'
import { apiError } from '../errors.ts'

/**
 * Bytes of request bodies a process holds at once, across requests: counted as they are read
 * (a body announced but not sent costs nothing, so slow senders cannot spend the budget with
 * promises), released once the request is answered. A request alone may pass the budget, so a
 * body larger than the whole budget is slow, not impossible.
 * @example const budget = createByteBudget(64 * 1024 * 1024); if (budget.isFull()) refuse()
 */
export function createByteBudget(maxBytes: number) {
  let inFlight = 0
  return {
    /** Is the budget spent? A new body waits (503) until it is not. */
    isFull: (): boolean => inFlight >= maxBytes,
    /**
     * Counts `bytes` more read for a request that already holds `held`; false, counting nothing,
     * when that passes the budget while other requests hold bytes too.
     */
    take(bytes: number, held: number): boolean {
      if (inFlight + bytes > maxBytes && inFlight > held) return false
      inFlight += bytes
      return true
    },
    release(bytes: number): void {
      inFlight -= bytes
    },
  }
}

export type ByteBudget = ReturnType<typeof createByteBudget>

/**
 * Reads a body until it ends or holds at least `stopAt` bytes, whichever comes first; then
 * stops reading. What is left of a longer body stays unread (answer with `Connection: close`
 * so the server does not drain it). The last chunk may take the result past `stopAt`. `take`
 * is asked before each chunk is kept: false stops reading with 503 `server_busy`.
 * @example const body = await readBodyUpTo(payload, trigger.body_limit_bytes + 1, (n) => budget.take(n, held))
 */
export function readBodyUpTo(
  stream: Readable,
  stopAt: number,
  take: (bytes: number) => boolean = () => true,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const stop = (error?: Error) => {
      stream.off('data', onData)
      stream.off('end', onEnd)
      stream.off('error', onAbort)
      stream.off('aborted', onAbort)
      if (!error) return resolve(Buffer.concat(chunks, size))
      stream.pause()
      reject(error)
    }
    const onData = (chunk: Buffer) => {
      if (!take(chunk.length))
        return stop(apiError('server_busy', undefined, { retryAfterSeconds: 1 }))
      chunks.push(chunk)
      size += chunk.length
      if (size < stopAt) return
      stream.pause()
      stop()
    }
    const onEnd = () => stop()
    const onAbort = () =>
      stop(apiError('invalid_request', 'The connection closed before the body was complete.'))
    stream.on('data', onData)
    stream.once('end', onEnd)
    stream.once('error', onAbort)
    stream.once('aborted', onAbort)
  })
}

/** Does the request still have body bytes on the wire that nothing will read? */
export function hasUnreadBody(request: FastifyRequest): boolean {
  const { headers } = request
  const announced =
    Number(headers['content-length'] ?? 0) > 0 || headers['transfer-encoding'] !== undefined
  return announced && !request.raw.complete
}
