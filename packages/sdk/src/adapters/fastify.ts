import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { WireFormat } from '../generated/events.ts'
import type { SwitchyardWebhookEvent, VerifyOptions } from '../webhooks/types.ts'
import { verifyOutcome } from './verify-outcome.ts'

/** Where `fastifyWebhook` listens, with which secrets, and what it calls. */
export interface FastifyWebhookOptions<F extends WireFormat> extends VerifyOptions {
  /** The route's path, e.g. `/webhooks`. */
  path: string
  secret: string | readonly string[]
  /** Called with the verified event; its return value is the answer (nothing: 204). */
  handler: (
    event: SwitchyardWebhookEvent<F>,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => unknown
}

/**
 * A Fastify plugin that adds one `POST` webhook route. Inside the plugin's own (encapsulated)
 * scope, bodies are kept as raw bytes, which verification needs; the rest of the app keeps
 * Fastify's JSON parser. Refused requests get a 400 JSON error.
 *
 * @example
 * import { fastifyWebhook } from '@switchyard/sdk/fastify'
 *
 * await app.register(
 *   fastifyWebhook<'workspace'>({
 *     path: '/webhooks',
 *     secret: process.env.SWITCHYARD_WEBHOOK_SECRET!,
 *     handler: async (event) => {
 *       if (event.event === 'integration_installed') await welcome(event.customer_id)
 *     },
 *   }),
 * )
 */
export function fastifyWebhook<F extends WireFormat = WireFormat>(
  options: FastifyWebhookOptions<F>,
): FastifyPluginAsync {
  const { path, secret, handler, ...verifyOptions } = options
  return async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    )
    scope.post(path, async (request, reply) => {
      const rawBody = (request.body as Uint8Array | undefined) ?? new Uint8Array()
      const outcome = await verifyOutcome<F>(rawBody, request.headers, secret, verifyOptions)
      if (!outcome.ok) return reply.status(outcome.status).send(outcome.body)
      const answer = await handler(outcome.event, request, reply)
      if (reply.sent || answer !== undefined) return answer ?? reply
      return reply.status(204).send()
    })
  }
}
