import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { newId } from '../ids.ts'
import type { Db } from '../store/index.ts'
import { auditedAction } from './actions.ts'
import { redactChanges } from './redact.ts'
import { insertAuditEntry, type AuditActor } from './store.ts'

/**
 * Records every successful change the audit table lists: who (the key or the instance token),
 * when, what (the body, secrets redacted) and to which object. It runs in `onSend`, after the
 * route's transaction committed and before the answer leaves, so a client that saw a 2xx can
 * find its entry. A failed write is logged, not answered: the change itself already happened.
 * @example installAuditTrail(app, { db, now, log })
 */
export function installAuditTrail(
  app: FastifyInstance,
  deps: { db: Db; now: () => Date; log: Logger },
): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 300) return payload
    const audited = auditedAction(request.method, request.routeOptions.url ?? '', request.caller)
    if (!audited) return payload
    const projectId = projectOf(request, payload)
    if (!projectId) return payload
    try {
      await insertAuditEntry(deps.db.kysely, {
        id: newId(),
        project_id: projectId,
        action: audited.action,
        target_type: audited.targetType,
        target_id: targetOf(request, reply, payload),
        actor: actorOf(request),
        changes: request.body === undefined ? null : redactChanges(request.body),
        request_id: request.id,
        ip: request.ip ?? null,
        created_at: deps.now(),
      })
    } catch (err) {
      deps.log.error({ err, action: audited.action }, 'writing the audit log failed')
    }
    return payload
  })
}

function actorOf(request: FastifyRequest): AuditActor {
  const caller = request.caller
  if (caller?.kind === 'key') return { type: 'key', id: caller.keyId, role: caller.role }
  if (caller?.kind === 'portal')
    return { type: 'portal_session', id: caller.sessionId, userId: caller.userId }
  return { type: 'instance' }
}

/** The caller's project; for `POST /v1/projects` (the instance token) the one just created. */
function projectOf(request: FastifyRequest, payload: unknown): string | null {
  const caller = request.caller
  if (caller && caller.kind !== 'instance') return caller.projectId
  // The instance token on a project's portal sessions names the project in the body or query.
  const named =
    (request.body as { projectId?: unknown } | undefined)?.projectId ??
    (request.query as { projectId?: unknown } | undefined)?.projectId
  if (typeof named === 'string') return named
  return idInPayload(payload)
}

function targetOf(request: FastifyRequest, reply: FastifyReply, payload: unknown): string | null {
  const params = request.params as Record<string, string> | undefined
  const fromParams = params?.id ?? params?.userId ?? params?.type ?? null
  if (fromParams) return fromParams
  if (request.routeOptions.url === '/v1/settings') return null
  return reply.statusCode === 201 || reply.statusCode === 200 ? idInPayload(payload) : null
}

function idInPayload(payload: unknown): string | null {
  if (typeof payload !== 'string') return null
  try {
    const id = (JSON.parse(payload) as { id?: unknown }).id
    return typeof id === 'string' ? id : null
  } catch {
    return null
  }
}
