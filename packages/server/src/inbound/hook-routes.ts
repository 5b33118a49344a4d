import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { apiError } from '../errors.ts'
import {
  bodyBytesAtMost,
  createByteBudget,
  hasUnreadBody,
  readBodyUpTo,
} from '../http/request-bodies.ts'
import { isUuid } from '../ids.ts'
import { createReceiver, receiveHook, type ReceiveDeps } from './receive.ts'
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
 * buffered first), takes the trigger's rate limit, and reserves the body's bytes against the
 * process's budget (503 `server_busy` past it). The body is then read no further than the
 * trigger's own limit: one byte past it and reading stops, and the request is logged as too
 * large with the size read so far. Registered in its own plugin so its parser (every content
 * type kept as the raw Buffer: signatures cover the exact bytes) applies to this route only.
 */
export function hookRoutes(deps: HookRoutesDeps): FastifyPluginAsync {
  const receiver = createReceiver(deps)
  const budget = createByteBudget(deps.hookBodyBytesInFlight ?? defaultHookBodyBytesInFlight)
  const triggers = new WeakMap<FastifyRequest, TriggerRow>()
  const admit = async (request: FastifyRequest, reply: FastifyReply) => {
    const { triggerId } = request.params as { triggerId: string }
    // Ids are stored lower-case: `ABC…` must share `abc…`'s cache entry and rate limit.
    const trigger = isUuid(triggerId)
      ? await findTriggerCached(deps.db.kysely, triggerId.toLowerCase())
      : null
    // Unknown triggers store nothing: anyone can send to /hooks, and an id is not a project.
    if (!trigger) throw apiError('not_found', `No trigger ${triggerId}.`)
    request.server.rateLimits?.trigger(trigger.id)
    const bytes = bodyBytesAtMost(request, trigger.body_limit_bytes + 1)
    if (!budget.reserve(bytes)) throw apiError('server_busy', undefined, { retryAfterSeconds: 1 })
    reply.raw.once('close', () => budget.release(bytes))
    triggers.set(request, trigger)
  }
  return async (app) => {
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', (request, payload, done) => {
      const limit = triggers.get(request)?.body_limit_bytes ?? maxHookBodyBytes
      readBodyUpTo(payload, limit + 1).then((body) => done(null, body), done)
    })
    app.route<{ Params: { triggerId: string } }>({
      method: ['POST', 'PUT', 'GET', 'HEAD'],
      url: '/hooks/:triggerId',
      bodyLimit: maxHookBodyBytes,
      exposeHeadRoute: false,
      config: { auth: 'public' },
      schema: { hide: true },
      onRequest: async (request, reply) => {
        try {
          await admit(request, reply)
        } catch (error) {
          // A refusal leaves the body unread: close the connection instead of draining it.
          if (hasUnreadBody(request)) void reply.header('connection', 'close')
          throw error
        }
      },
      handler: async (request, reply) => {
        const trigger = triggers.get(request)!
        const url = request.raw.url ?? ''
        const q = url.indexOf('?')
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
        const answer = await receiveHook(receiver, {
          triggerId: trigger.id,
          trigger,
          method: request.method,
          path: q === -1 ? url : url.slice(0, q),
          queryString: q === -1 ? '' : url.slice(q + 1),
          headers: request.headers,
          body,
        })
        if (hasUnreadBody(request)) void reply.header('connection', 'close')
        return reply.status(answer.status).headers(answer.headers).send(answer.body)
      },
    })
  }
}
