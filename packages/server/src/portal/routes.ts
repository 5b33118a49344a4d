import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { apiError } from '../errors.ts'
import { decodeCursor, pageQuerySchema, pageSchema, toPage } from '../http/pagination.ts'
import { typed } from '../http/typed.ts'
import { isUuid } from '../ids.ts'
import { findProject } from '../projects/index.ts'
import type { Db } from '../store/index.ts'
import {
  createPortalSession,
  creatorOf,
  exchangePortalLink,
  portalCaller,
  sessionLifetimeSeconds,
  sessionStatus,
} from './sessions.ts'
import { listPortalSessions, revokePortalSession, type PortalSessionRow } from './store.ts'

export interface PortalRoutesDeps {
  db: Db
  now: () => Date
  /** Where the portal is served; the session URL is `${publicUrl}/portal#token=…`. */
  publicUrl: string
}

const tags = ['portal']
// A project admin key, or the instance admin token naming the project.
const managers = { auth: { role: 'admin', allowInstance: true } } as const

const sessionOutSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'projectId', 'userId', 'eventTypes', 'readOnly', 'status', 'expiresAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    projectId: { type: 'string', format: 'uuid' },
    userId: { type: ['string', 'null'], description: 'The user it is scoped to; null: none.' },
    eventTypes: {
      type: ['array', 'null'],
      items: { type: 'string' },
      description: 'Canonical types it may subscribe to; null: any.',
    },
    readOnly: { type: 'boolean' },
    status: {
      type: 'string',
      enum: ['pending', 'active', 'expired', 'revoked'],
      description: 'pending: its link is not exchanged yet; active: exchanged and usable.',
    },
    expiresAt: { type: 'string', format: 'date-time' },
    exchangedAt: { type: ['string', 'null'], format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const

const projectIdQuery = {
  type: 'string',
  format: 'uuid',
  description: 'With the instance admin token: the project. A project key uses its own.',
} as const

/**
 * Portal sessions: create (a one-time link), list, revoke, and the link's exchange for the
 * session credential. The routes a session may call say so in their `config.auth.portal`.
 */
export function portalRoutes(deps: PortalRoutesDeps): FastifyPluginAsync {
  const { db, now } = deps
  const sessionOut = (row: PortalSessionRow) => ({
    id: row.id,
    projectId: row.project_id,
    userId: row.user_id,
    eventTypes: row.event_types,
    readOnly: row.read_only,
    status: sessionStatus(row, now()),
    expiresAt: row.expires_at.toISOString(),
    exchangedAt: row.exchanged_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  })
  return async (plugin) => {
    const app = typed(plugin)
    app.post(
      '/v1/portal-sessions',
      {
        config: managers,
        schema: {
          tags,
          summary: 'Create a portal session; its one-time link is returned this once',
          description:
            'The URL carries the link token in its fragment (never sent to a server); the portal ' +
            'exchanges it once at POST /v1/portal-sessions/exchange. docs/portal-sessions.md.',
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              projectId: projectIdQuery,
              userId: {
                type: ['string', 'null'],
                minLength: 1,
                maxLength: 200,
                description:
                  'Scope it to this user: it sees only destinations filtered to the user, and ' +
                  'the destinations it creates get that filter.',
              },
              eventTypes: {
                type: ['array', 'null'],
                minItems: 1,
                maxItems: 100,
                items: { type: 'string', minLength: 1, maxLength: 100 },
                description: 'The event types it may subscribe to (any format’s names); null: any.',
              },
              readOnly: { type: 'boolean', default: false },
              expiresInSeconds: {
                type: 'integer',
                ...sessionLifetimeSeconds,
                description: 'How long the link and the session live. (Default: 3600)',
              },
            },
          },
          response: {
            201: {
              ...sessionOutSchema,
              required: [...sessionOutSchema.required, 'url'],
              properties: {
                ...sessionOutSchema.properties,
                url: {
                  type: 'string',
                  description: 'The portal URL with the one-time token in its fragment.',
                },
              },
            },
          },
        },
      },
      async (request, reply) => {
        const body = request.body
        const projectId = await projectOf(request, body.projectId)
        const { row, linkToken } = await createPortalSession(
          db.kysely,
          {
            projectId,
            userId: body.userId ?? null,
            eventTypes: body.eventTypes ?? null,
            readOnly: body.readOnly ?? false,
            expiresInSeconds: body.expiresInSeconds ?? sessionLifetimeSeconds.default,
            createdBy: creatorOf(request.caller),
          },
          now(),
        )
        const base = deps.publicUrl || `${request.protocol}://${request.host}`
        const url = `${base.replace(/\/$/, '')}/portal#token=${linkToken}`
        return reply.status(201).send({ ...sessionOut(row), url })
      },
    )

    app.post(
      '/v1/portal-sessions/exchange',
      {
        config: { auth: 'public' },
        schema: {
          tags,
          summary: "Exchange a portal link's token, once, for the session credential",
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['token'],
            properties: { token: { type: 'string', minLength: 1, maxLength: 200 } },
          },
          response: {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['credential', 'session'],
              properties: {
                credential: {
                  type: 'string',
                  description: 'The bearer token (syps_…) for the portal routes; shown this once.',
                },
                session: sessionOutSchema,
              },
            },
          },
        },
      },
      async (request, reply) => {
        const { row, credential } = await exchangePortalLink(db.kysely, request.body.token, now())
        // The audit trail records the exchange as the session's own first action.
        request.caller = portalCaller(row)
        void reply.header('cache-control', 'no-store')
        return { credential, session: sessionOut(row) }
      },
    )

    app.get(
      '/v1/portal-sessions',
      {
        config: managers,
        schema: {
          tags,
          summary: 'List portal sessions, newest first',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { ...pageQuerySchema, projectId: projectIdQuery },
          },
          response: { 200: pageSchema(sessionOutSchema) },
        },
      },
      async (request) => {
        const { limit, cursor } = request.query
        const projectId = await projectOf(request, request.query.projectId)
        const rows = await listPortalSessions(db.kysely, projectId, {
          before: decodeCursor(cursor),
          limit: limit + 1,
        })
        const page = toPage(rows, limit)
        return { data: page.data.map(sessionOut), nextCursor: page.nextCursor }
      },
    )

    app.delete(
      '/v1/portal-sessions/:id',
      {
        config: managers,
        schema: {
          tags,
          summary: 'Revoke a portal session: its link and credential stop working at once',
          params: {
            type: 'object',
            required: ['id'],
            properties: { id: { type: 'string', maxLength: 100 } },
          },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { projectId: projectIdQuery },
          },
          response: { 200: sessionOutSchema },
        },
      },
      async (request) => {
        const { id } = request.params
        const projectId = await projectOf(request, request.query.projectId)
        const row = isUuid(id) ? await revokePortalSession(db.kysely, projectId, id, now()) : null
        if (!row) throw apiError('not_found', `No portal session ${id} in this project.`)
        return sessionOut(row)
      },
    )
  }

  /** The project a manager acts on: the key's own, or the one the instance token names. */
  async function projectOf(request: FastifyRequest, named: string | undefined): Promise<string> {
    const caller = request.caller
    if (caller?.kind === 'key') {
      if (named !== undefined && named !== caller.projectId)
        throw apiError('forbidden', 'A project key acts on its own project; leave projectId out.')
      return caller.projectId
    }
    if (named === undefined)
      throw apiError('validation_failed', undefined, [
        { path: '/projectId', message: 'is required with the instance admin token' },
      ])
    if (!(await findProject(db.kysely, named))) throw apiError('not_found', `No project ${named}.`)
    return named
  }
}
