import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { findDestination } from '../destinations/index.ts'
import { apiError } from '../errors.ts'
import { callerProject, portalUserOf } from '../http/auth.ts'
import { decodeCursor, pageQuerySchema, pageSchema, toPage } from '../http/pagination.ts'
import { isUuid } from '../ids.ts'
import { notify, type Db } from '../store/index.ts'
import { deliveriesChannel } from './fan-out.ts'
import { findDelivery, listAttempts, listDeliveries } from './log-store.ts'
import {
  attemptOut,
  attemptOutSchema,
  deliveryOut,
  deliveryOutSchema,
  deliveryStatuses,
} from './schemas.ts'
import type { Sender } from './send.ts'
import { retryNow, type DeliveryRow } from './store.ts'
import { typed } from '../http/typed.ts'

export interface DeliveryRoutesDeps {
  db: Db
  now: () => Date
  /** The shared sender; closed with the server. */
  sender: Sender
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 100 } },
} as const

/** Delivery logs and the single retry. */
export function deliveryRoutes(deps: DeliveryRoutesDeps): FastifyPluginAsync {
  const { db, now } = deps
  const deliveryOr404 = async (request: FastifyRequest, id: string): Promise<DeliveryRow> => {
    const projectId = callerProject(request)
    const found = isUuid(id) ? await findDelivery(db.kysely, projectId, id) : null
    // A portal session scoped to a user sees only the deliveries of that user's destinations.
    const userScope = portalUserOf(request)
    const row =
      found && userScope !== null
        ? (await findDestination(db.kysely, projectId, found.destination_id))?.filter_user_id ===
          userScope
          ? found
          : null
        : found
    if (!row) throw apiError('not_found', `No delivery ${id} in this project.`)
    return row
  }
  return async (plugin) => {
    const app = typed(plugin)
    app.addHook('onClose', () => deps.sender.close())

    app.get(
      '/v1/deliveries',
      {
        config: { auth: { role: 'viewer', portal: 'read' } },
        schema: {
          tags: ['deliveries'],
          summary: 'List deliveries, newest first',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...pageQuerySchema,
              destinationId: { type: 'string', format: 'uuid' },
              eventId: { type: 'string', format: 'uuid' },
              status: { type: 'string', enum: deliveryStatuses },
              since: { type: 'string', format: 'date-time', description: 'Created at or after.' },
              until: { type: 'string', format: 'date-time', description: 'Created before.' },
            },
          },
          response: { 200: pageSchema(deliveryOutSchema) },
        },
      },
      async (request) => {
        const q = request.query
        const rows = await listDeliveries(db.kysely, {
          projectId: callerProject(request),
          destinationId: q.destinationId ?? null,
          eventId: q.eventId ?? null,
          status: q.status ?? null,
          since: q.since ? new Date(q.since) : null,
          until: q.until ? new Date(q.until) : null,
          before: decodeCursor(q.cursor),
          limit: q.limit + 1,
          userScope: portalUserOf(request),
        })
        const page = toPage(rows, q.limit)
        return { data: page.data.map(deliveryOut), nextCursor: page.nextCursor }
      },
    )

    app.get(
      '/v1/deliveries/:id',
      {
        config: { auth: { role: 'viewer', portal: 'read' } },
        schema: {
          tags: ['deliveries'],
          summary: 'Read a delivery with every attempt',
          params: idParams,
          response: {
            200: {
              ...deliveryOutSchema,
              required: [...deliveryOutSchema.required, 'attempts'],
              properties: {
                ...deliveryOutSchema.properties,
                attempts: { type: 'array', items: attemptOutSchema },
              },
            },
          },
        },
      },
      async (request) => {
        const row = await deliveryOr404(request, request.params.id)
        const attempts = await listAttempts(db.kysely, row.id)
        return { ...deliveryOut(row), attempts: attempts.map(attemptOut) }
      },
    )

    app.post(
      '/v1/deliveries/:id/retry',
      {
        config: { auth: { role: 'admin', portal: 'write' } },
        schema: {
          tags: ['deliveries'],
          summary: 'Send a delivery again now, whatever its status (same webhook-id)',
          params: idParams,
          response: { 202: deliveryOutSchema },
        },
      },
      async (request, reply) => {
        const projectId = callerProject(request)
        const current = await deliveryOr404(request, request.params.id)
        const destination = await findDestination(db.kysely, projectId, current.destination_id)
        if (!destination?.enabled) {
          throw apiError(
            'destination_disabled',
            `Destination ${current.destination_id} is disabled; enable it first (its held deliveries then go too).`,
          )
        }
        const row = await retryNow(db.kysely, projectId, current.id, now())
        await notify(db.kysely, deliveriesChannel)
        return reply.status(202).send(deliveryOut(row ?? current))
      },
    )
  }
}
