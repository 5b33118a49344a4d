import type { FastifyPluginAsync } from 'fastify'
import { callerProject, portalUserOf } from '../http/auth.ts'
import type { Db } from '../store/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { destinationOr404 } from './destinations.ts'
import { idParamsSchema } from './schemas.ts'
import { newSigningSecret } from './secrets.ts'
import { destinationContexts } from './sealed-secrets.ts'
import { rotateSecretRow } from './store.ts'
import { typed } from '../http/typed.ts'
import { emptyBodyAsObject, optionalBody } from '../http/optional-body.ts'

const admin = { auth: { role: 'admin', portal: 'write' } } as const
const tags = ['destinations']

/**
 * `POST /v1/destinations/:id/rotate-secret`: a configuration change. The actions on a
 * destination's state (enable, disable, recover, test) and its timeline are delivery/lifecycle.
 */
export function secretRoutes(deps: {
  db: Db
  now: () => Date
  box: SecretBox
}): FastifyPluginAsync {
  const { db, now, box } = deps
  return async (plugin) => {
    const app = typed(plugin)
    app.post(
      '/v1/destinations/:id/rotate-secret',
      {
        config: admin,
        preValidation: emptyBodyAsObject,
        schema: {
          tags,
          summary: 'Replace the signing secret; the old one keeps signing during the grace',
          params: idParamsSchema,
          body: optionalBody({ graceHours: { type: 'number', minimum: 0, maximum: 168 } }),
          response: {
            200: {
              type: 'object',
              required: ['secret', 'previousSecretExpiresAt'],
              properties: {
                secret: { type: 'string' },
                previousSecretExpiresAt: { type: ['string', 'null'], format: 'date-time' },
              },
            },
          },
        },
      },
      async (request) => {
        const current = await destinationOr404(
          db.kysely,
          callerProject(request),
          request.params.id,
          portalUserOf(request),
        )
        const graceHours = request.body.graceHours ?? 24
        const at = now()
        const previousExpiresAt =
          graceHours > 0 ? new Date(at.getTime() + graceHours * 3600 * 1000) : null
        const secret = newSigningSecret()
        // The previous secret moves over sealed as it is: both columns share one context.
        await rotateSecretRow(db.kysely, current.project_id, current.id, {
          secret: await box.seal(secret, destinationContexts.secret(current.id)),
          previousExpiresAt,
          now: at,
        })
        return { secret, previousSecretExpiresAt: previousExpiresAt?.toISOString() ?? null }
      },
    )
  }
}
