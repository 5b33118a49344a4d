import type { FastifyPluginAsync } from 'fastify'
import { apiError } from '../errors.ts'
import { callerProject } from '../http/auth.ts'
import { pageQuerySchema, pageSchema } from '../http/pagination.ts'
import { putIntegration, refuseDeletingUsed, type IntegrationDeps } from './integrations.ts'
import {
  integrationInSchema,
  integrationOutSchema,
  integrationParams,
  integrationTypeSchema,
} from './schemas.ts'
import { deleteIntegration, findIntegration, listIntegrations } from './store.ts'
import { integrationOut } from './view.ts'
import { noContentSchema, sendNoContent } from '../http/responses.ts'
import { typed } from '../http/typed.ts'

/** Integrations: `PUT/GET/DELETE /v1/integrations/:type`, `GET /v1/integrations`. */
export function integrationRoutes(deps: IntegrationDeps): FastifyPluginAsync {
  const { db } = deps
  return async (plugin) => {
    const app = typed(plugin)
    app.put(
      '/v1/integrations/:type',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['integrations'],
          summary: 'Create or change an integration and its developer tokens',
          params: integrationParams,
          body: integrationInSchema,
          response: { 200: integrationOutSchema, 201: integrationOutSchema },
        },
      },
      async (request, reply) => {
        const ids = { projectId: callerProject(request), type: request.params.type }
        const { row, created } = await putIntegration(deps, ids, request.body)
        return reply.status(created ? 201 : 200).send(await integrationOut(deps, row))
      },
    )

    app.get(
      '/v1/integrations/:type',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['integrations'],
          summary: 'Read an integration (developer tokens masked)',
          params: integrationParams,
          response: { 200: integrationOutSchema },
        },
      },
      async (request) => {
        const { type } = request.params
        const row = await findIntegration(db.kysely, callerProject(request), type)
        if (!row) throw apiError('not_found', `No integration ${type} in this project.`)
        return integrationOut(deps, row)
      },
    )

    app.get(
      '/v1/integrations',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['integrations'],
          summary: 'List integrations in type order',
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(integrationOutSchema) },
        },
      },
      async (request) => {
        const { limit, cursor } = request.query
        const rows = await listIntegrations(db.kysely, {
          projectId: callerProject(request),
          after: cursor ? decodeTypeCursor(cursor) : null,
          limit: limit + 1,
        })
        const data = rows.slice(0, limit)
        const last = data.at(-1)
        return {
          data: await Promise.all(data.map((row) => integrationOut(deps, row))),
          nextCursor:
            rows.length > limit && last ? Buffer.from(last.type).toString('base64url') : null,
        }
      },
    )

    app.delete(
      '/v1/integrations/:type',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['integrations'],
          summary:
            'Delete an integration and its developer tokens (refused while triggers use them)',
          params: integrationParams,
          response: { 204: noContentSchema },
        },
      },
      async (request, reply) => {
        const ids = { projectId: callerProject(request), type: request.params.type }
        await refuseDeletingUsed(deps, ids)
        if (!(await deleteIntegration(db.kysely, ids.projectId, ids.type)))
          throw apiError('not_found', `No integration ${ids.type} in this project.`)
        return sendNoContent(reply)
      },
    )
  }
}

// Types are the caller's text, so the cursor wraps the last type rather than a UUIDv7.
function decodeTypeCursor(cursor: string): string {
  const type = Buffer.from(cursor, 'base64url').toString()
  if (!new RegExp(integrationTypeSchema.pattern).test(type) || type.length > 100)
    throw apiError('invalid_cursor')
  return type
}
