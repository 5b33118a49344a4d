import type { FastifyPluginAsync } from 'fastify'
import { renderWireFormat, wireFormats, wireName, type CanonicalType } from '../catalog/index.ts'
import { apiError } from '../errors.ts'
import { callerProject } from '../http/auth.ts'
import { isUuid } from '../ids.ts'
import type { Db } from '../store/index.ts'
import { catalogEventIn, loadBatchContext } from './pipeline.ts'
import { typed } from '../http/typed.ts'

const renderingSchema = {
  type: 'object',
  required: ['format', 'name', 'body'],
  properties: {
    format: { type: 'string', enum: wireFormats },
    name: { type: 'string' },
    body: {},
  },
} as const

/**
 * `GET /v1/events/:id/renderings`: the body a destination of each wire format receives for this
 * event, rendered by the same code (and with the same credential and user context) as a
 * delivery, before any template. Formats with no name for the event are left out.
 */
export function eventRenderingRoutes(deps: { db: Db; publicUrl: string }): FastifyPluginAsync {
  return async (plugin) => {
    const app = typed(plugin)
    app.get(
      '/v1/events/:id/renderings',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['events'],
          summary: 'Render an event in every wire format that carries it',
          params: {
            type: 'object',
            required: ['id'],
            properties: { id: { type: 'string', maxLength: 100 } },
          },
          response: {
            200: {
              type: 'object',
              required: ['data'],
              properties: { data: { type: 'array', items: renderingSchema } },
            },
          },
        },
      },
      async (request) => {
        const { id } = request.params
        const projectId = callerProject(request)
        const context = isUuid(id)
          ? await loadBatchContext(deps.db.kysely, [{ event_id: id, project_id: projectId }])
          : null
        const event = context?.events.get(id)
        const rendered =
          event && event.project_id === projectId ? catalogEventIn(event, context!) : null
        if (!rendered) throw apiError('not_found', `No event ${id} in this project.`)
        const data = wireFormats.flatMap((format) => {
          const name = wireName(format, rendered.type as CanonicalType)
          if (name === null) return []
          return [
            {
              format,
              name,
              body: renderWireFormat(format, rendered, { publicUrl: deps.publicUrl }),
            },
          ]
        })
        return { data }
      },
    )
  }
}
