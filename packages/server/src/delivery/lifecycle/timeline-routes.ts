import type { FastifyPluginAsync } from 'fastify'
import { destinationOr404, idParamsSchema } from '../../destinations/index.ts'
import { callerProject } from '../../http/auth.ts'
import { decodeCursor, pageQuerySchema, pageSchema, toPage } from '../../http/pagination.ts'
import type { Db } from '../../store/index.ts'
import { listTimeline, type TimelineRow } from './timeline-store.ts'
import { typed } from '../../http/typed.ts'

const timelineEntrySchema = {
  type: 'object',
  required: ['id', 'at', 'kind', 'message', 'details'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    at: { type: 'string', format: 'date-time' },
    kind: {
      type: 'string',
      enum: ['paused', 'probe_failed', 'resumed', 'disabled', 'enabled', 'contact_notified'],
    },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const

function timelineOut(row: TimelineRow) {
  return {
    id: row.id,
    at: row.at.toISOString(),
    kind: row.kind,
    message: row.message,
    details: row.details,
  }
}

/** `GET /v1/destinations/:id/timeline`: the destination's story (paused, probed, resumed…). */
export function timelineRoutes(deps: { db: Db }): FastifyPluginAsync {
  const { db } = deps
  return async (plugin) => {
    const app = typed(plugin)
    app.get(
      '/v1/destinations/:id/timeline',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['destinations'],
          summary:
            'What happened to a destination (paused, probes, resumed, disabled), newest first',
          params: idParamsSchema,
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(timelineEntrySchema) },
        },
      },
      async (request) => {
        const row = await destinationOr404(db.kysely, callerProject(request), request.params.id)
        const { limit, cursor } = request.query
        const rows = await listTimeline(db.kysely, row.id, {
          before: decodeCursor(cursor),
          limit: limit + 1,
        })
        const page = toPage(rows, limit)
        return { data: page.data.map(timelineOut), nextCursor: page.nextCursor }
      },
    )
  }
}
