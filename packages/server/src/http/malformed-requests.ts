import type { Socket } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { apiError, errorCatalog, type ErrorCode } from '../errors.ts'

/*
 * Requests malformed below the routes: a NUL in the URL, bad percent-encoding, an over-long path
 * segment, a request line or headers Node's parser refuses. Each is answered 4xx with a catalogue
 * code. Without this, `?type=%00` reached PostgreSQL as a text parameter (which cannot hold
 * U+0000) and answered 500, `/anything%00` served the dashboard, and Fastify's own 400s had no
 * `code`.
 */

// `%00` in any case; a raw NUL never gets here (Node's parser refuses it), but costs nothing.
const nul = /%00|\0/i

/**
 * Refuses a NUL in the path or query before anything reads them. Install it before every other
 * `onRequest` hook: authentication and rate limits must not spend work on such a request.
 * @example installUrlGuard(app)
 */
export function installUrlGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (nul.test(request.raw.url ?? ''))
      throw apiError(
        'invalid_request',
        'The path or query holds a NUL (%00), which no id, name or filter can contain; remove it.',
      )
  })
}

const frameworkMessages: Record<string, string> = {
  FST_ERR_BAD_URL:
    'The path is not valid percent-encoded UTF-8 (e.g. a lone "%" or "%zz"); encode it correctly.',
  FST_ERR_MAX_PARAM_LENGTH:
    'A path segment is longer than 200 characters; no id or name in a path is that long.',
}

/**
 * Fastify's `frameworkErrors` option: the router's own refusals (bad percent-encoding, an
 * over-long path parameter) as catalogue errors instead of Fastify's bare JSON.
 */
export function frameworkErrors(
  error: Error & { code?: string },
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const message = frameworkMessages[error.code ?? ''] ?? error.message
  void reply.status(400).send({ error: { code: 'invalid_request', message } })
}

/**
 * Fastify's `clientErrorHandler` option: what Node's HTTP parser refuses (a raw NUL or space in
 * the request line, a bad header, a request that took too long) answered with a catalogue code,
 * as Fastify's default does without one. The socket is closed after the answer.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const code: ErrorCode =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 'request_timeout'
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? 'headers_too_large'
        : 'invalid_request'
  const { status, message } = errorCatalog[code]
  const body = JSON.stringify({ error: { code, message } })
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${statusText[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    )
  socket.destroy(error)
}

const statusText: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
}
