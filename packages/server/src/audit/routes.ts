import type { FastifyPluginAsync } from 'fastify'
import { callerProject } from '../http/auth.ts'
import { decodeCursor, pageQuerySchema, pageSchema, toPage } from '../http/pagination.ts'
import type { Db } from '../store/index.ts'
import { listAuditEntries, type AuditRow } from './store.ts'
import { typed } from '../http/typed.ts'

const auditEntrySchema = {
  type: 'object',
  required: [
    'id',
    'action',
    'targetType',
    'targetId',
    'actor',
    'changes',
    'requestId',
    'createdAt',
  ],
  properties: {
    id: { type: 'string' },
    action: {
      type: 'string',
      description: 'What changed, as `resource.verb`: `destination.updated`.',
    },
    targetType: { type: 'string' },
    targetId: { type: ['string', 'null'], description: 'The changed object (null for settings).' },
    actor: {
      type: 'object',
      description:
        'Who: the API key (id and role), the instance admin token, or a portal session (its id ' +
        'and the user it is scoped to).',
      required: ['type'],
      properties: {
        type: { type: 'string', enum: ['key', 'instance', 'portal_session'] },
        id: { type: 'string' },
        role: { type: 'string' },
        userId: { type: ['string', 'null'] },
      },
    },
    changes: { description: 'The request body, secrets replaced by "[redacted]".' },
    requestId: { type: 'string' },
    ip: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const

/**
 * `GET /v1/audit-log`: the project's changes, newest first, for admins.
 * @example app.register(auditRoutes({ db }))
 */
export function auditRoutes(deps: { db: Db }): FastifyPluginAsync {
  return async (plugin) => {
    const app = typed(plugin)
    app.get(
      '/v1/audit-log',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['audit'],
          summary:
            'List changes to keys, destinations, triggers, settings and credentials, newest first',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...pageQuerySchema,
              action: { type: 'string', maxLength: 100, description: 'Only this action.' },
              targetId: {
                type: 'string',
                maxLength: 200,
                description: 'Only changes to this object.',
              },
              since: {
                type: 'string',
                format: 'date-time',
                description: 'Only changes at or after.',
              },
              until: { type: 'string', format: 'date-time', description: 'Only changes before.' },
            },
          },
          response: { 200: pageSchema(auditEntrySchema) },
        },
      },
      async (request) => {
        const { limit, cursor, action, targetId, since, until } = request.query
        const rows = await listAuditEntries(deps.db.kysely, callerProject(request), {
          before: decodeCursor(cursor),
          limit: limit + 1,
          action,
          targetId,
          since: since === undefined ? undefined : new Date(since),
          until: until === undefined ? undefined : new Date(until),
        })
        const page = toPage(rows, limit)
        return { ...page, data: page.data.map(auditEntryOut) }
      },
    )
  }
}

function auditEntryOut(row: AuditRow) {
  return {
    id: row.id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    actor: row.actor,
    changes: row.changes,
    requestId: row.request_id,
    ip: row.ip,
    createdAt: row.created_at.toISOString(),
  }
}
