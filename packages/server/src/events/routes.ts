import type { FastifyPluginAsync } from 'fastify'
import { describeEventTypes } from '../catalog/index.ts'
import { apiError } from '../errors.ts'
import { callerProject } from '../http/auth.ts'
import { decodeCursor, pageQuerySchema, pageSchema, toPage } from '../http/pagination.ts'
import { isUuid } from '../ids.ts'
import { groupCommit, type Db } from '../store/index.ts'
import { ingestEvents, type IngestDeps } from './ingest.ts'
import type { Publisher } from './publish.ts'
import {
  eventInSchema,
  eventOut,
  eventOutSchema,
  eventTypeOutSchema,
  idempotencyHeaderSchema,
} from './schemas.ts'
import { eventStreamRoutes } from './stream.ts'
import { findEvent, listEvents, type NewEvent } from './store.ts'
import { typed } from '../http/typed.ts'

export interface EventRoutesDeps {
  db: Db
  /** Stores events with their deliveries (events/publish.ts). */
  publisher: Publisher
  now: () => Date
}

const maxBatch = 1000

/** Publishing and reading events, and the event-type catalog. */
export function eventRoutes(deps: EventRoutesDeps): FastifyPluginAsync {
  const { db } = deps
  const { store } = deps.publisher
  // Concurrent single events share statements (bench/ingest: one statement per event is the
  // cost of a busy POST /v1/events).
  const ingestDeps: IngestDeps = {
    store,
    now: deps.now,
    insertOne: groupCommit(async (rows: NewEvent[]) => store(db.kysely, rows)),
  }
  return async (plugin) => {
    const app = typed(plugin)
    app.post(
      '/v1/events',
      {
        config: { auth: { role: 'member' } },
        schema: {
          tags: ['events'],
          summary: 'Publish an event',
          headers: idempotencyHeaderSchema,
          body: eventInSchema,
          response: { 202: eventOutSchema },
        },
      },
      async (request, reply) => {
        const { events, replayed } = await ingestEvents(
          db.kysely,
          {
            projectId: callerProject(request),
            events: [request.body],
            idempotencyKey: request.headers['idempotency-key'] ?? null,
            requestBody: request.body,
            pathOf: () => '',
          },
          ingestDeps,
        )
        if (replayed) void reply.header('idempotent-replayed', 'true')
        return reply.status(202).send(eventOut(events[0]!))
      },
    )

    app.post(
      '/v1/events/batch',
      {
        config: { auth: { role: 'member' } },
        schema: {
          tags: ['events'],
          summary: `Publish up to ${maxBatch} events, all or nothing`,
          headers: idempotencyHeaderSchema,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['events'],
            properties: {
              events: { type: 'array', minItems: 1, maxItems: maxBatch, items: eventInSchema },
            },
          },
          response: {
            202: {
              type: 'object',
              required: ['data'],
              properties: { data: { type: 'array', items: eventOutSchema } },
            },
          },
        },
      },
      async (request, reply) => {
        const { events, replayed } = await ingestEvents(
          db.kysely,
          {
            projectId: callerProject(request),
            events: request.body.events,
            idempotencyKey: request.headers['idempotency-key'] ?? null,
            requestBody: request.body,
            pathOf: (i) => `/events/${i}`,
          },
          ingestDeps,
        )
        if (replayed) void reply.header('idempotent-replayed', 'true')
        return reply.status(202).send({ data: events.map(eventOut) })
      },
    )

    app.get(
      '/v1/events',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['events'],
          summary: 'List events, newest first',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...pageQuerySchema,
              type: {
                type: 'array',
                items: { type: 'string', maxLength: 100 },
                maxItems: 20,
                description: 'Only these types (repeat the parameter).',
              },
              since: {
                type: 'string',
                format: 'date-time',
                description: 'Only events that occurred at or after this time.',
              },
              until: {
                type: 'string',
                format: 'date-time',
                description: 'Only events that occurred before this time.',
              },
            },
          },
          response: { 200: pageSchema(eventOutSchema) },
        },
      },
      async (request) => {
        const { limit, cursor, type, since, until } = request.query
        const rows = await listEvents(db.kysely, {
          projectId: callerProject(request),
          types: type && type.length > 0 ? type : null,
          since: since ? new Date(since) : null,
          until: until ? new Date(until) : null,
          before: decodeCursor(cursor),
          limit: limit + 1,
        })
        const page = toPage(rows, limit)
        return { data: page.data.map(eventOut), nextCursor: page.nextCursor }
      },
    )

    app.get(
      '/v1/events/:id',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['events'],
          summary: 'Read one event',
          params: {
            type: 'object',
            required: ['id'],
            properties: { id: { type: 'string', maxLength: 100 } },
          },
          response: { 200: eventOutSchema },
        },
      },
      async (request) => {
        const { id } = request.params
        const row = isUuid(id) ? await findEvent(db.kysely, callerProject(request), id) : null
        if (!row) throw apiError('not_found', `No event ${id} in this project.`)
        return eventOut(row)
      },
    )

    app.get(
      '/v1/event-types',
      {
        config: { auth: { role: 'viewer', portal: 'read' } },
        schema: {
          tags: ['events'],
          summary: 'The event catalog: canonical types, their names per wire format, and schemas',
          response: {
            200: {
              type: 'object',
              required: ['data'],
              properties: { data: { type: 'array', items: eventTypeOutSchema } },
            },
          },
        },
      },
      async (request) => {
        // A portal session limited to some event types sees only those.
        const caller = request.caller
        const allowed = caller?.kind === 'portal' ? caller.eventTypes : null
        const data = describeEventTypes()
        return { data: allowed ? data.filter((t) => allowed.includes(t.type)) : data }
      },
    )

    await app.register(eventStreamRoutes({ db }))
  }
}
