import type { FastifyPluginAsync } from 'fastify'
import { apiError } from '../errors.ts'
import { callerProject, portalUserOf } from '../http/auth.ts'
import { decodeCursor, pageQuerySchema, pageSchema, toPage } from '../http/pagination.ts'
import { isUuid } from '../ids.ts'
import type { Db } from '../store/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import {
  createDestination,
  destinationOr404,
  patchDestination,
  type DestinationIn,
  type DestinationPatchIn,
} from './destinations.ts'
import {
  destinationInSchema,
  destinationOutSchema,
  destinationPatchInSchema,
  idParamsSchema,
} from './schemas.ts'
import { shownDestination } from './sealed-secrets.ts'
import { deleteDestination, listDestinations } from './store.ts'
import { secretRoutes } from './secret-routes.ts'
import { scopedCreate, scopedPatch } from './portal-scope.ts'
import { noContentSchema, sendNoContent } from '../http/responses.ts'
import { typed } from '../http/typed.ts'

export interface DestinationRoutesDeps {
  db: Db
  now: () => Date
  /** Seals destination secrets on write, opens them to send tests and to answer. */
  box: SecretBox
}

/**
 * Destinations (webhook and email): create, read, change, delete and rotate-secret (their
 * configuration). Enable, disable, recover, test and the timeline act on a destination's state:
 * delivery/lifecycle. Reading is open to every role; everything else needs `admin`.
 */
export function destinationRoutes(deps: DestinationRoutesDeps): FastifyPluginAsync {
  const { db, now, box } = deps
  return async (plugin) => {
    const app = typed(plugin)
    app.post(
      '/v1/destinations',
      {
        config: { auth: { role: 'admin', portal: 'write' } },
        schema: {
          tags: ['destinations'],
          summary:
            'Create a webhook or email destination; its signing secret is returned this once',
          body: destinationInSchema,
          response: {
            201: {
              ...destinationOutSchema,
              required: [...destinationOutSchema.required, 'secret'],
            },
          },
        },
      },
      async (request, reply) => {
        const { row, secret } = await createDestination(
          db.kysely,
          callerProject(request),
          // The schema leaves a preset's options loose; checkDestinationFields checks them.
          scopedCreate(request, request.body as DestinationIn),
          { now: now(), box },
        )
        return reply.status(201).send({ ...(await shownDestination(box, row)), secret })
      },
    )

    app.get(
      '/v1/destinations',
      {
        config: { auth: { role: 'viewer', portal: 'read' } },
        schema: {
          tags: ['destinations'],
          summary: 'List destinations, newest first',
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(destinationOutSchema) },
        },
      },
      async (request) => {
        const { limit, cursor } = request.query
        const rows = await listDestinations(db.kysely, callerProject(request), {
          before: decodeCursor(cursor),
          limit: limit + 1,
          userScope: portalUserOf(request),
        })
        const page = toPage(rows, limit)
        const data = await Promise.all(page.data.map((row) => shownDestination(box, row)))
        return { data, nextCursor: page.nextCursor }
      },
    )

    app.get(
      '/v1/destinations/:id',
      {
        config: { auth: { role: 'viewer', portal: 'read' } },
        schema: {
          tags: ['destinations'],
          summary: 'Read a destination (never its secret)',
          params: idParamsSchema,
          response: { 200: destinationOutSchema },
        },
      },
      async (request) =>
        shownDestination(
          box,
          await destinationOr404(
            db.kysely,
            callerProject(request),
            request.params.id,
            portalUserOf(request),
          ),
        ),
    )

    app.patch(
      '/v1/destinations/:id',
      {
        config: { auth: { role: 'admin', portal: 'write' } },
        schema: {
          tags: ['destinations'],
          summary: 'Change a destination (fields not sent are kept; headers are replaced whole)',
          params: idParamsSchema,
          body: destinationPatchInSchema,
          response: { 200: destinationOutSchema },
        },
      },
      async (request) => {
        const current = await destinationOr404(
          db.kysely,
          callerProject(request),
          request.params.id,
          portalUserOf(request),
        )
        const row = await patchDestination(
          db.kysely,
          box,
          current,
          scopedPatch(request, request.body as DestinationPatchIn),
          now(),
        )
        if (!row)
          throw apiError('not_found', `No destination ${request.params.id} in this project.`)
        return shownDestination(box, row)
      },
    )

    app.delete(
      '/v1/destinations/:id',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['destinations'],
          summary: 'Delete a destination with its deliveries and their logs',
          params: idParamsSchema,
          response: { 204: noContentSchema },
        },
      },
      async (request, reply) => {
        const { id } = request.params
        if (!isUuid(id) || !(await deleteDestination(db.kysely, callerProject(request), id)))
          throw apiError('not_found', `No destination ${id} in this project.`)
        return sendNoContent(reply)
      },
    )

    await app.register(secretRoutes(deps))
  }
}
