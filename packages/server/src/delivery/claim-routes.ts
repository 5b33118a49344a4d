import type { FastifyPluginAsync } from 'fastify'
import { apiError } from '../errors.ts'
import type { ClaimChecks } from './claim-store.ts'
import { typed } from '../http/typed.ts'
import { sendBytes } from '../http/responses.ts'

/**
 * `GET /v1/claims/:token`: the full body a claim-check thin event points to, byte for byte,
 * without an API key (the receiver only has the URL). The token is the credential: 128 random
 * bits and an HMAC over them and the expiry.
 * @example app.register(claimCheckRoutes({ claims, now }))
 */
export function claimCheckRoutes(deps: {
  claims: ClaimChecks
  now: () => Date
}): FastifyPluginAsync {
  return async (plugin) => {
    const app = typed(plugin)
    app.get(
      '/v1/claims/:token',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['deliveries'],
          summary:
            'Fetch the full body of a delivery sent as a claim check (no key: the signed URL is the credential)',
          params: {
            type: 'object',
            required: ['token'],
            properties: { token: { type: 'string', maxLength: 200 } },
          },
          response: {
            200: {
              type: 'object',
              additionalProperties: true,
              description:
                'The body the delivery would have carried, byte for byte (its Content-Digest is the sha-256).',
            },
          },
        },
      },
      async (request, reply) => {
        const opened = await deps.claims.open(request.params.token, deps.now())
        if (!opened.ok)
          throw opened.reason === 'expired'
            ? apiError('claim_check_expired')
            : apiError('claim_check_not_found')
        const digest = Buffer.from(opened.sha256, 'hex').toString('base64')
        void reply
          .header('content-type', 'application/json')
          .header('content-digest', `sha-256=:${digest}:`)
          .header('cache-control', 'no-store')
        return sendBytes(reply, Buffer.from(opened.body, 'utf8'))
      },
    )
  }
}
