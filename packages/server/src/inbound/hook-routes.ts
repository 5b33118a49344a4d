import type { Readable } from 'node:stream'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { apiError } from '../errors.ts'
import { createByteBudget, hasUnreadBody, readBodyUpTo } from '../http/request-bodies.ts'
import { isUuid } from '../ids.ts'
import { hookSecurityHeaders } from './handshakes/index.ts'
import { receiveHook } from './receive.ts'
import { createReceiver, type ReceiveDeps } from './receiver.ts'
import { findTriggerCached } from './store.ts'
import type { TriggerRow } from './types.ts'

/** The largest body any trigger may accept (per trigger: 1 byte to 10 MiB, default 1 MiB). */
export const maxHookBodyBytes = 10 * 1024 * 1024

/** Body bytes all /hooks requests of a process may hold at once, unless configured. */
export const defaultHookBodyBytesInFlight = 64 * 1024 * 1024

export interface HookRoutesDeps extends ReceiveDeps {
  /** Body bytes all /hooks requests of the process may hold at once (`SWITCHYARD_HOOK_BODY_BYTES_IN_FLIGHT`). */
  hookBodyBytesInFlight?: number
}

/**
 * `ANY /hooks/:triggerId` (POST, PUT, GET, HEAD): public, answered by the trigger. Before a byte
 * of the body is read it finds the trigger (404 at once for an unknown id; before, 10 MiB were
 * buffered first), takes the trigger's rate limit, and checks the process's budget of body bytes
 * in flight (503 `server_busy` when it is spent; bytes count as they are read, so a body that
 * would pass it mid-way is cut off with the same 503). The body is read no further than the
 * trigger's own limit: one chunk past it reading stops, and the request is logged as too large
 * with the size read so far. Registered in its own plugin so its parser (every content
 * type kept as the raw Buffer: signatures cover the exact bytes) applies to this route only.
 */
export function hookRoutes(deps: HookRoutesDeps): FastifyPluginAsync {
  const receiver = createReceiver(deps)
  const budget = createByteBudget(deps.hookBodyBytesInFlight ?? defaultHookBodyBytesInFlight)
  const admitted = new WeakMap<FastifyRequest, { trigger: TriggerRow; held: number }>()
  const admit = async (request: FastifyRequest, reply: FastifyReply) => {
    const { triggerId } = request.params as { triggerId: string }
    // Ids are stored lower-case: `ABC…` must share `abc…`'s cache entry and rate limit.
    const trigger = isUuid(triggerId)
      ? await findTriggerCached(deps.db.kysely, triggerId.toLowerCase())
      : null
    // Unknown triggers store nothing: anyone can send to /hooks, and an id is not a project.
    if (!trigger) {
      deps.observe?.answered('rejected', 'unknown_trigger')
      throw apiError('not_found', `No trigger ${triggerId}.`)
    }
    try {
      request.server.rateLimits?.trigger(trigger.id)
    } catch (error) {
      deps.observe?.answered('rejected', 'rate_limited')
      throw error
    }
    if (budget.isFull()) {
      deps.observe?.answered('error', 'server_busy')
      throw apiError('server_busy', undefined, { retryAfterSeconds: 1 })
    }
    const state = { trigger, held: 0 }
    admitted.set(request, state)
    reply.raw.once('close', () => budget.release(state.held))
  }
  // The body's bytes count against the budget as they are read, up to one chunk past the limit.
  const readBody = (request: FastifyRequest, payload: Readable) => {
    const state = admitted.get(request)!
    return readBodyUpTo(payload, state.trigger.body_limit_bytes + 1, (bytes) => {
      if (!budget.take(bytes, state.held)) return false
      state.held += bytes
      return true
    })
  }
  return async (app) => {
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', (request, payload, done) => {
      readBody(request, payload).then((body) => done(null, body), done)
    })
    app.route<{ Params: { triggerId: string } }>({
      method: ['POST', 'PUT', 'GET', 'HEAD'],
      url: '/hooks/:triggerId',
      bodyLimit: maxHookBodyBytes,
      exposeHeadRoute: false,
      config: { auth: 'public' },
      schema: { hide: true },
      onRequest: admit,
      // An answer given before the whole body came (a refusal, a body cut off at the limit)
      // closes the connection instead of draining the rest. Refusals made before the handler
      // (unknown trigger, rate limit, budget) are /hooks answers too: same origin, same headers.
      onSend: async (request, reply) => {
        if (hasUnreadBody(request)) void reply.header('connection', 'close')
        void reply.headers(hookSecurityHeaders)
      },
      handler: async (request, reply) => {
        const { trigger } = admitted.get(request)!
        const url = request.raw.url ?? ''
        const q = url.indexOf('?')
        const answer = await receiveHook(receiver, {
          triggerId: trigger.id,
          trigger,
          method: request.method,
          path: q === -1 ? url : url.slice(0, q),
          queryString: q === -1 ? '' : url.slice(q + 1),
          headers: request.headers,
          body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        })
        return reply.status(answer.status).headers(answer.headers).send(answer.body)
      },
    })
  }
}
