import type { FastifyPluginAsync } from 'fastify'
import { apiError } from '../errors.ts'
import { callerProject } from '../http/auth.ts'
import { pageQuerySchema, pageSchema } from '../http/pagination.ts'
import { requireCredential } from '../users/index.ts'
import { registerHandshakeWindowRoutes } from './handshakes/window-routes.ts'
import { callerIdSchemaOf, idParams, requireTrigger } from './routes.ts'
import { subscribe, subscriptionOut, unsubscribe, type SetupDeps } from './setup.ts'
import { listSubscriptions } from './subscription-store.ts'
import { noContentSchema, sendNoContent } from '../http/responses.ts'
import { typed } from '../http/typed.ts'

const subscriptionOutSchema = {
  type: 'object',
  required: ['triggerId', 'credentialId', 'status', 'createdAt', 'updatedAt'],
  properties: {
    triggerId: { type: 'string', format: 'uuid' },
    credentialId: {
      type: ['string', 'null'],
      description: 'null: the app-level subscription, made with the developer tokens.',
    },
    status: { type: 'string', enum: ['active', 'failed'] },
    responseStatus: {
      type: ['integer', 'null'],
      description: "The provider's status on the last attempt (null: not reached).",
    },
    error: {
      type: ['string', 'null'],
      description:
        "Failed: the provider's body (first 1,000 characters) or why it was not reached.",
    },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const

// A POST without a body is the app-level form: it validates as `{}`.
const emptyBodyAsObject = async (request: { body: unknown }) => {
  if (request.body === undefined) request.body = {}
}

/**
 * API setup: `POST/GET /v1/triggers/:id/subscriptions`, `DELETE …/subscriptions[/:credentialId]`.
 * POST again retries a failed subscription. Also `POST/DELETE /v1/triggers/:id/expect-handshake`,
 * for a setup done at the provider by hand.
 */
export function setupRoutes(deps: SetupDeps): FastifyPluginAsync {
  const { db } = deps
  const credentialOf = async (projectId: string, id: string | undefined) =>
    id === undefined ? null : requireCredential(db, projectId, id)
  return async (plugin) => {
    const app = typed(plugin)
    app.post(
      '/v1/triggers/:id/subscriptions',
      {
        config: { auth: { role: 'admin' } },
        preValidation: emptyBodyAsObject,
        schema: {
          tags: ['triggers'],
          summary:
            "Register the trigger's webhook at the provider: for a credential, or (no credentialId) once for an app-level trigger with the developer tokens",
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { credentialId: callerIdSchemaOf },
          },
          response: {
            201: {
              ...subscriptionOutSchema,
              properties: {
                ...subscriptionOutSchema.properties,
                persisted: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
      },
      async (request, reply) => {
        const projectId = callerProject(request)
        const trigger = await requireTrigger(db, projectId, request.params.id)
        const credential = await credentialOf(projectId, request.body.credentialId)
        const { subscription, persisted } = await subscribe(deps, trigger, credential)
        return reply.status(201).send({ ...subscriptionOut(subscription), persisted })
      },
    )

    app.get(
      '/v1/triggers/:id/subscriptions',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['triggers'],
          summary: "The trigger's subscriptions, active and failed (with the provider's answer)",
          params: idParams,
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(subscriptionOutSchema) },
        },
      },
      async (request) => {
        const trigger = await requireTrigger(db, callerProject(request), request.params.id)
        const { limit, cursor } = request.query
        const rows = await listSubscriptions(db.kysely, {
          triggerId: trigger.id,
          after: cursor === undefined ? null : decodeCredentialCursor(cursor),
          limit: limit + 1,
        })
        const data = rows.slice(0, limit)
        const last = data.at(-1)
        return {
          data: data.map(subscriptionOut),
          nextCursor:
            rows.length > limit && last
              ? Buffer.from(`c:${last.credential_id}`).toString('base64url')
              : null,
        }
      },
    )

    const remove = async (projectId: string, triggerId: string, credentialId?: string) => {
      const trigger = await requireTrigger(db, projectId, triggerId)
      await unsubscribe(deps, trigger, await credentialOf(projectId, credentialId))
    }

    app.delete(
      '/v1/triggers/:id/subscriptions',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['triggers'],
          summary:
            "Run an app-level trigger's unsubscribe request with the developer tokens and forget its values",
          params: idParams,
          response: { 204: noContentSchema },
        },
      },
      async (request, reply) => {
        await remove(callerProject(request), request.params.id)
        return sendNoContent(reply)
      },
    )

    app.delete(
      '/v1/triggers/:id/subscriptions/:credentialId',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['triggers'],
          summary: "Run the trigger's unsubscribe request for a credential and forget its values",
          params: {
            type: 'object',
            required: ['id', 'credentialId'],
            properties: { id: { type: 'string', maxLength: 100 }, credentialId: callerIdSchemaOf },
          },
          response: { 204: noContentSchema },
        },
      },
      async (request, reply) => {
        await remove(callerProject(request), request.params.id, request.params.credentialId)
        return sendNoContent(reply)
      },
    )

    registerHandshakeWindowRoutes(app, deps)
  }
}

// Credential ids are the caller's text and the app-level one is '', so the cursor wraps "c:<id>".
function decodeCredentialCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString()
  if (!text.startsWith('c:')) throw apiError('invalid_cursor')
  return text.slice(2)
}
