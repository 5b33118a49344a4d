import type { FastifyPluginAsync } from 'fastify'
import { apiError } from '../errors.ts'
import { callerProject } from '../http/auth.ts'
import { sseStreams } from '../http/sse.ts'
import { decodeCursor, pageQuerySchema, pageSchema, toPage } from '../http/pagination.ts'
import { isUuid } from '../ids.ts'
import type { Db } from '../store/index.ts'
import type { InboundFeed } from './feed.ts'
import { openListenStream } from './listen.ts'
import { findInboundRequest, listInboundRequests, requeueRequest } from './request-store.ts'
import { idParams, requireTrigger } from './routes.ts'
import { inboundRequestOut, inboundRequestOutSchema } from './schemas.ts'
import { eventStreamSchema } from '../http/responses.ts'
import { typed } from '../http/typed.ts'

const outcomes = [
  'received',
  'handshake',
  'rejected',
  'error',
  'accepted',
  'routed',
  'unrouted',
  'held',
  'failed',
]

/** The inbound request log, replay of routed, unrouted and failed requests, and the listen stream. */
export function inboundLogRoutes(deps: { db: Db; feed: InboundFeed }): FastifyPluginAsync {
  const { db } = deps
  return async (plugin) => {
    const app = typed(plugin)
    const openSse = sseStreams(app)

    app.get(
      '/v1/inbound-requests',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['triggers'],
          summary: 'List inbound requests, newest first',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...pageQuerySchema,
              triggerId: { type: 'string', format: 'uuid' },
              outcome: { type: 'string', enum: outcomes },
            },
          },
          response: { 200: pageSchema(inboundRequestOutSchema) },
        },
      },
      async (request) => {
        const { limit, cursor, triggerId, outcome } = request.query
        const rows = await listInboundRequests(db.kysely, {
          projectId: callerProject(request),
          triggerId: triggerId ?? null,
          outcome: outcome ?? null,
          before: decodeCursor(cursor),
          limit: limit + 1,
        })
        const page = toPage(rows, limit)
        return { data: page.data.map(inboundRequestOut), nextCursor: page.nextCursor }
      },
    )

    app.get(
      '/v1/inbound-requests/:id',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['triggers'],
          summary: 'Read one inbound request',
          params: idParams,
          response: { 200: inboundRequestOutSchema },
        },
      },
      async (request) => {
        const { id } = request.params
        const row = isUuid(id)
          ? await findInboundRequest(db.kysely, callerProject(request), id)
          : null
        if (!row) throw apiError('not_found', `No inbound request ${id} in this project.`)
        return inboundRequestOut(row)
      },
    )

    app.post(
      '/v1/inbound-requests/:id/replay',
      {
        config: { auth: { role: 'member' } },
        schema: {
          tags: ['triggers'],
          summary:
            'Route an accepted request again (routed, unrouted or failed: after the credential it was for exists, or what failed is fixed)',
          params: idParams,
          response: {
            202: {
              type: 'object',
              required: ['id', 'outcome'],
              properties: {
                id: { type: 'string', format: 'uuid' },
                outcome: { type: 'string', enum: ['accepted'], description: 'Queued for routing.' },
              },
            },
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params
        if (!isUuid(id) || !(await requeueRequest(db.kysely, callerProject(request), id)))
          throw apiError(
            'not_found',
            `No routed, unrouted or failed request ${id} in this project.`,
          )
        return reply.status(202).send({ id, outcome: 'accepted' })
      },
    )

    app.get(
      '/v1/triggers/:id/listen',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['triggers'],
          summary: 'Server-sent events: every request to the trigger as it is judged and routed',
          params: idParams,
          response: { 200: eventStreamSchema },
        },
      },
      async (request, reply) => {
        const projectId = callerProject(request)
        const trigger = await requireTrigger(db, projectId, request.params.id)
        await openListenStream(
          { db, feed: deps.feed, projectId, triggerId: trigger.id },
          openSse(request, reply),
        )
      },
    )
  }
}
