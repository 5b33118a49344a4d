import type { FastifyPluginAsync } from 'fastify'
import { createReceiver, receiveHook, type ReceiveDeps } from './receive.ts'

/** The largest body any trigger may accept (per trigger: 1 byte to 10 MiB, default 1 MiB). */
export const maxHookBodyBytes = 10 * 1024 * 1024

/**
 * `ANY /hooks/:triggerId` (POST, PUT, GET, HEAD): public, answered by the trigger. Registered
 * in its own plugin so its parser — every content type kept as the raw Buffer, because
 * signatures cover the exact bytes — applies to this route only.
 */
export function hookRoutes(deps: ReceiveDeps): FastifyPluginAsync {
  const receiver = createReceiver(deps)
  return async (app) => {
    app.removeAllContentTypeParsers()
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: maxHookBodyBytes },
      (_request, body, done) => {
        done(null, body)
      },
    )
    app.route<{ Params: { triggerId: string } }>({
      method: ['POST', 'PUT', 'GET', 'HEAD'],
      url: '/hooks/:triggerId',
      bodyLimit: maxHookBodyBytes,
      exposeHeadRoute: false,
      config: { auth: 'public' },
      schema: { hide: true },
      handler: async (request, reply) => {
        const url = request.raw.url ?? ''
        const q = url.indexOf('?')
        const answer = await receiveHook(receiver, {
          triggerId: request.params.triggerId,
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
