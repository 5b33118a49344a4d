import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { apiError } from '../errors.ts'
import { decodeCursor, pageQuerySchema, pageSchema, toPage } from '../http/pagination.ts'
import type { Db } from '../store/index.ts'
import { callerScope, loadSync } from './access.ts'
import type { ConnectorRegistry } from './connectors/index.ts'
import { syncErrorCodes, transientCodes } from './error-codes.ts'
import { registerRecordRoutes } from './record-routes.ts'
import { registerRunRoutes } from './run-routes.ts'
import {
  idParams,
  syncErrorCodesOutSchema,
  syncInSchema,
  syncOut,
  syncOutSchema,
} from './schemas.ts'
import { deleteSync, listSyncs } from './store.ts'
import type { SyncEventDeps } from './sync-events.ts'
import { createSync, disableSync, reenableSync, syncSummary } from './syncs.ts'
import { syncStatuses, type SyncRow } from './types.ts'
import { noContentSchema, sendNoContent } from '../http/responses.ts'
import { typed } from '../http/typed.ts'
import type { TypedApp } from '../http/typed.ts'

export interface SyncRoutesDeps extends SyncEventDeps {
  db: Db
  log: Logger
  connectors: ConnectorRegistry
}

/** The sync API: syncs, the worker-side runs, the Paragon-compatible read API, error codes. */
export function syncRoutes(deps: SyncRoutesDeps): FastifyPluginAsync {
  return async (plugin) => {
    const app = typed(plugin)
    registerSyncAdminRoutes(app, deps)
    registerRunRoutes(app, deps)
    registerRecordRoutes(app, deps)
    app.get(
      '/v1/sync-error-codes',
      {
        config: { auth: { role: 'viewer', allowUserToken: true } },
        schema: {
          tags: ['syncs'],
          summary: 'The codes sync_errored and record_errored carry',
          response: { 200: syncErrorCodesOutSchema },
        },
      },
      async () => ({
        data: syncErrorCodes.map((entry) => ({ ...entry, recoverable: false })),
        transientCodes: [...transientCodes],
      }),
    )
  }
}

const tags = ['syncs']

function registerSyncAdminRoutes(app: TypedApp, deps: SyncRoutesDeps): void {
  const q = deps.db.kysely
  const present = async (sync: SyncRow) =>
    syncOut(sync, await syncSummary(q, sync), deps.connectors)

  app.post(
    '/v1/syncs',
    {
      config: { auth: { role: 'member', allowUserToken: true } },
      schema: {
        tags,
        summary: 'Enable a sync for a connected user',
        body: syncInSchema,
        response: { 201: syncOutSchema },
      },
    },
    async (request, reply) => {
      const sync = { ...request.body, userId: syncUserId(request, deps.connectors) }
      const { projectId } = callerScope(request)
      const row = await createSync(q, deps.connectors, { projectId, sync, now: deps.now() })
      return reply.status(201).send(await present(row))
    },
  )

  app.get(
    '/v1/syncs',
    {
      config: { auth: { role: 'viewer', allowUserToken: true } },
      schema: {
        tags,
        summary: 'List syncs, newest first (a user token lists its own)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuerySchema,
            userId: { type: 'string', maxLength: 200 },
            integration: { type: 'string', maxLength: 100 },
            status: { type: 'string', enum: syncStatuses },
          },
        },
        response: { 200: pageSchema(syncOutSchema) },
      },
    },
    async (request) => {
      const { limit, cursor, userId, integration, status } = request.query
      const scope = callerScope(request)
      const rows = await listSyncs(q, {
        projectId: scope.projectId,
        userId: scope.userId ?? userId ?? null,
        integration: integration ?? null,
        status: status ?? null,
        before: decodeCursor(cursor),
        limit: limit + 1,
      })
      const page = toPage(rows, limit)
      return { data: await Promise.all(page.data.map(present)), nextCursor: page.nextCursor }
    },
  )

  const byId = { params: idParams, response: { 200: syncOutSchema } }
  const readAuth = { auth: { role: 'viewer' as const, allowUserToken: true } }
  const writeAuth = { auth: { role: 'member' as const, allowUserToken: true } }

  app.get(
    '/v1/syncs/:id',
    { config: readAuth, schema: { tags, summary: 'Get a sync and its status', ...byId } },
    async (request) => present(await loadSync(q, request, request.params.id)),
  )

  app.post(
    '/v1/syncs/:id/disable',
    {
      config: writeAuth,
      schema: { tags, summary: 'Pause a sync (open runs are cancelled)', ...byId },
    },
    async (request) => {
      const sync = await loadSync(q, request, request.params.id)
      return present(await disableSync(q, sync.id, deps.now()))
    },
  )

  app.post(
    '/v1/syncs/:id/reenable',
    { config: writeAuth, schema: { tags, summary: 'Resume a disabled or errored sync', ...byId } },
    async (request) => {
      const sync = await loadSync(q, request, request.params.id)
      return present(await reenableSync(q, sync.id, deps.now()))
    },
  )

  app.delete(
    '/v1/syncs/:id',
    {
      config: writeAuth,
      schema: {
        tags,
        summary: 'Delete a sync and its records',
        params: idParams,
        response: { 204: noContentSchema },
      },
    },
    async (request, reply) => {
      const sync = await loadSync(q, request, request.params.id)
      await deleteSync(q, callerScope(request), sync.id)
      return sendNoContent(reply)
    },
  )
}

/**
 * The connected user a new sync belongs to: the token's subject with a user token, else the
 * body's `userId`. Built-in connectors read the server's own files, so only admin keys may
 * create their syncs.
 */
function syncUserId(
  request: FastifyRequest<{ Body: { userId?: string; integration: string } }>,
  connectors: ConnectorRegistry,
): string {
  const caller = request.caller
  const { userId, integration } = request.body
  if (connectors.has(integration) && !(caller?.kind === 'key' && caller.role === 'admin'))
    throw apiError(
      'forbidden',
      `A "${integration}" sync reads the server's files; it needs an admin key.`,
    )
  if (caller?.kind === 'user') {
    if (userId !== undefined && userId !== caller.userId)
      throw apiError('validation_failed', undefined, [
        { path: '/userId', message: "must be left out or equal the user token's subject" },
      ])
    return caller.userId
  }
  if (userId === undefined)
    throw apiError('validation_failed', undefined, [
      { path: '/userId', message: 'is required with a project key' },
    ])
  return userId
}
