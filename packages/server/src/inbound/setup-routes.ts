import type { FastifyPluginAsync } from 'fastify'
import { callerProject } from '../http/auth.ts'
import { requireCredential } from '../users/index.ts'
import { callerIdSchemaOf, idParams, requireTrigger } from './routes.ts'
import { subscribe, unsubscribe, type SetupDeps } from './setup.ts'

/** API setup: `POST /v1/triggers/:id/subscriptions`, `DELETE …/subscriptions/:credentialId`. */
export function setupRoutes(deps: SetupDeps): FastifyPluginAsync {
  const { db } = deps
  return async (app) => {
    app.post<{ Params: { id: string }; Body: { credentialId: string } }>(
      '/v1/triggers/:id/subscriptions',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['triggers'],
          summary: "Register the trigger's webhook at the provider for a credential",
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['credentialId'],
            properties: { credentialId: callerIdSchemaOf },
          },
        },
      },
      async (request, reply) => {
        const projectId = callerProject(request)
        const trigger = await requireTrigger(db, projectId, request.params.id)
        const credential = await requireCredential(db, projectId, request.body.credentialId)
        const persisted = await subscribe(deps, trigger, credential)
        return reply
          .status(201)
          .send({ triggerId: trigger.id, credentialId: credential.id, status: 'active', persisted })
      },
    )

    app.delete<{ Params: { id: string; credentialId: string } }>(
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
        },
      },
      async (request, reply) => {
        const projectId = callerProject(request)
        const trigger = await requireTrigger(db, projectId, request.params.id)
        const credential = await requireCredential(db, projectId, request.params.credentialId)
        await unsubscribe(deps, trigger, credential)
        return reply.status(204).send()
      },
    )
  }
}
