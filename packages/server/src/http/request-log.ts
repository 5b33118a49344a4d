import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'

/**
 * One log line per request, when its answer is sent: `POST /v1/events 202 3 ms`, with the
 * method, URL, status, duration and request id (`reqId`) as fields. Fastify's default writes two
 * raw entries per request ("incoming request", "request completed") and a third for a 404.
 * Fastify's `LogController` is its hook for these lines (the top-level `disableRequestLogging`
 * is deprecated); `onResponse` would miss requests that end in an error.
 *
 * The URL is logged without its query string: query values can grant access (a trigger's
 * `?token=`, Meta's `hub.verify_token`). `urlForLog` replaces that with a finer redaction.
 * @example Fastify({ logController: createRequestLog() })
 */
export function createRequestLog(
  options: { urlForLog?: (url: string) => string } = {},
): LogController {
  return new OneLinePerRequest(options.urlForLog ?? withoutQuery)
}

class OneLinePerRequest extends LogController {
  readonly #urlForLog: (url: string) => string

  constructor(urlForLog: (url: string) => string) {
    super()
    this.#urlForLog = urlForLog
  }

  override incomingRequest(): void {}

  // The request's own line (status 404) says it.
  override routeNotFound(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const url = this.#urlForLog(request.url)
    const status = reply.statusCode
    const durationMs = Math.round(reply.elapsedTime * 10) / 10
    const entry = { method: request.method, url, status, durationMs }
    const message = `${request.method} ${url} ${status} ${Math.round(durationMs)} ms`
    // An error here is the response stream's (the client went away mid-answer).
    if (error) reply.log.error({ ...entry, err: error }, message)
    else reply.log.info(entry, message)
  }
}

/** @example withoutQuery('/hooks/t1?token=abc') // '/hooks/t1' */
export function withoutQuery(url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}
