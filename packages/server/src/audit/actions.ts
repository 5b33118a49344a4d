import type { Caller } from '../http/auth.ts'

/**
 * Which changes the audit log records: one entry per mutating route that changes keys,
 * destinations, triggers, settings, credentials, connected users or projects. Keyed by
 * `METHOD url` as Fastify registers the route. Routes that move data rather than configuration
 * (ingesting events, sync pages, retries, replays) are listed in `notAudited` with the reason,
 * so a new mutating route must be placed in one list or the other (test/audit keeps it so).
 */
export const auditedRoutes: Record<string, { action: string; targetType: string }> = {
  'POST /v1/projects': { action: 'project.created', targetType: 'project' },
  'PATCH /v1/projects/:id': { action: 'project.updated', targetType: 'project' },
  'POST /v1/api-keys': { action: 'api_key.created', targetType: 'api_key' },
  'DELETE /v1/api-keys/:id': { action: 'api_key.revoked', targetType: 'api_key' },
  'PUT /v1/settings': { action: 'settings.updated', targetType: 'settings' },
  'POST /v1/destinations': { action: 'destination.created', targetType: 'destination' },
  'PATCH /v1/destinations/:id': { action: 'destination.updated', targetType: 'destination' },
  'DELETE /v1/destinations/:id': { action: 'destination.deleted', targetType: 'destination' },
  'POST /v1/destinations/:id/enable': { action: 'destination.enabled', targetType: 'destination' },
  'POST /v1/destinations/:id/disable': {
    action: 'destination.disabled',
    targetType: 'destination',
  },
  'POST /v1/destinations/:id/rotate-secret': {
    action: 'destination.secret_rotated',
    targetType: 'destination',
  },
  'POST /v1/destinations/:id/recover': {
    action: 'destination.recovered',
    targetType: 'destination',
  },
  'PUT /v1/users/:userId': { action: 'user.upserted', targetType: 'user' },
  'PUT /v1/credentials/:id': { action: 'credential.upserted', targetType: 'credential' },
  'DELETE /v1/credentials/:id': { action: 'credential.deleted', targetType: 'credential' },
  'POST /v1/triggers': { action: 'trigger.created', targetType: 'trigger' },
  'PATCH /v1/triggers/:id': { action: 'trigger.updated', targetType: 'trigger' },
  'DELETE /v1/triggers/:id': { action: 'trigger.deleted', targetType: 'trigger' },
  'POST /v1/triggers/:id/subscriptions': {
    action: 'trigger.subscribed',
    targetType: 'trigger',
  },
  'DELETE /v1/triggers/:id/subscriptions': {
    action: 'trigger.unsubscribed',
    targetType: 'trigger',
  },
  'DELETE /v1/triggers/:id/subscriptions/:credentialId': {
    action: 'trigger.unsubscribed',
    targetType: 'trigger',
  },
  'POST /v1/triggers/:id/expect-handshake': {
    action: 'trigger.handshake_expected',
    targetType: 'trigger',
  },
  'DELETE /v1/triggers/:id/expect-handshake': {
    action: 'trigger.handshake_window_closed',
    targetType: 'trigger',
  },
  'PUT /v1/integrations/:type': { action: 'integration.upserted', targetType: 'integration' },
  'DELETE /v1/integrations/:type': { action: 'integration.deleted', targetType: 'integration' },
  'POST /v1/syncs': { action: 'sync.created', targetType: 'sync' },
  'DELETE /v1/syncs/:id': { action: 'sync.deleted', targetType: 'sync' },
  'POST /v1/syncs/:id/disable': { action: 'sync.disabled', targetType: 'sync' },
  'POST /v1/syncs/:id/reenable': { action: 'sync.reenabled', targetType: 'sync' },
  'POST /v1/portal-sessions': { action: 'portal_session.created', targetType: 'portal_session' },
  'POST /v1/portal-sessions/exchange': {
    action: 'portal_session.exchanged',
    targetType: 'portal_session',
  },
  'DELETE /v1/portal-sessions/:id': {
    action: 'portal_session.revoked',
    targetType: 'portal_session',
  },
}

/**
 * What a portal session does on the data-plane routes `notAudited` leaves out: every change a
 * session makes is in the audit log with its id (docs/portal-sessions.md).
 */
const portalActions: Record<string, { action: string; targetType: string }> = {
  'POST /v1/destinations/test': { action: 'destination.test_sent', targetType: 'destination' },
  'POST /v1/destinations/:id/test': { action: 'destination.tested', targetType: 'destination' },
  'POST /v1/deliveries/:id/retry': { action: 'delivery.retried', targetType: 'delivery' },
}

/** Mutating routes deliberately left out of the audit log, with why. */
export const notAudited: Record<string, string> = {
  'POST /v1/events': 'data plane: events are their own log',
  'POST /v1/events/batch': 'data plane: events are their own log',
  'POST /v1/destinations/test': 'sends a test event; changes nothing',
  'POST /v1/destinations/:id/test': 'sends a test event; changes nothing',
  'POST /v1/deliveries/:id/retry': 'data plane: the delivery log records the attempt',
  'POST /v1/inbound-requests/:id/replay': 'data plane: the inbound request log records it',
  'POST /v1/syncs/:id/runs': 'data plane: sync runs are their own log',
  'POST /v1/syncs/:id/runs/:runId/records': 'data plane: sync pages',
  'POST /v1/syncs/:id/runs/:runId/complete': 'data plane: sync runs are their own log',
  'POST /v1/syncs/:id/runs/:runId/fail': 'data plane: sync runs are their own log',
  'POST /hooks/:triggerId': 'inbound webhooks: the inbound request log records them',
  'PUT /hooks/:triggerId': 'inbound webhooks: the inbound request log records them',
}

/** The audit entry a route makes, or null when it is not audited. */
export function auditedAction(method: string, url: string, caller?: Caller | null) {
  const route = `${method} ${url}`
  return auditedRoutes[route] ?? (caller?.kind === 'portal' ? portalActions[route] : null) ?? null
}
