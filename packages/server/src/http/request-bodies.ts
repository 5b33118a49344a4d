import type { Readable } from 'node:stream'
import type { FastifyRequest } from 'fastify'
import { apiError } from '../errors.ts'

/**
 * Bytes of request bodies a process holds at once, across requests: `reserve` before reading
 * one, `release` once it is answered. A request is always admitted when nothing else is in
 * flight, so a body larger than the whole budget is slow, not impossible.
 * @example const budget = createByteBudget(64 * 1024 * 1024); if (!budget.reserve(n)) refuse()
 */
export function createByteBudget(maxBytes: number) {
  let inFlight = 0
  return {
    reserve(bytes: number): boolean {
      if (bytes > 0 && inFlight > 0 && inFlight + bytes > maxBytes) return false
      inFlight += bytes
      return true
    },
    release(bytes: number): void {
      inFlight -= bytes
    },
    get inFlight(): number {
      return inFlight
    },
  }
}

export type ByteBudget = ReturnType<typeof createByteBudget>

/**
 * The most bytes reading this request's body can take: none without a body, the declared
 * `Content-Length` when it is within `limit`, else `limit` (chunked, or declared larger: the
 * reader stops there).
 */
export function bodyBytesAtMost(request: FastifyRequest, limit: number): number {
  const { headers } = request
  const declared = headers['content-length']
  if (declared !== undefined) return Math.min(Number(declared) || 0, limit)
  return headers['transfer-encoding'] !== undefined ? limit : 0
}

/**
 * Reads a body until it ends or holds at least `stopAt` bytes, whichever comes first; then
 * stops reading. What is left of a longer body stays unread (answer with `Connection: close`
 * so the server does not drain it). The last chunk may take the result past `stopAt`.
 * @example const body = await readBodyUpTo(payload, trigger.body_limit_bytes + 1)
 */
export function readBodyUpTo(stream: Readable, stopAt: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const finish = () => {
      cleanup()
      resolve(Buffer.concat(chunks, size))
    }
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.length
      if (size >= stopAt) {
        stream.pause()
        finish()
      }
    }
    const onAbort = () => {
      cleanup()
      reject(apiError('invalid_request', 'The connection closed before the body was complete.'))
    }
    const cleanup = () => {
      stream.off('data', onData)
      stream.off('end', finish)
      stream.off('error', onAbort)
      stream.off('aborted', onAbort)
    }
    stream.on('data', onData)
    stream.once('end', finish)
    stream.once('error', onAbort)
    stream.once('aborted', onAbort)
  })
}

/** Does the request still have body bytes on the wire that nothing will read? */
export function hasUnreadBody(request: FastifyRequest): boolean {
  return !request.raw.complete && bodyBytesAtMost(request, 1) > 0
}
