import { createRequester, type ClientOptions } from './request.ts'
import { deliveriesResource } from './resources/deliveries.ts'
import { destinationsResource } from './resources/destinations.ts'
import { eventsResource, eventTypesResource } from './resources/events.ts'
import { portalSessionsResource } from './resources/portal-sessions.ts'
import { apiKeysResource, projectsResource, settingsResource } from './resources/projects.ts'

/**
 * A typed client for the Switchyard API: one namespace per resource. POSTs carry an
 * `Idempotency-Key` (random unless given), 5xx answers and network errors are retried with
 * backoff, and failures throw `SwitchyardApiError`.
 *
 * @example
 * const client = createClient({ baseUrl: 'http://localhost:8787', apiKey: process.env.SWITCHYARD_API_KEY! })
 * await client.events.create({ type: 'webhook.test', data: {} })
 * for await (const event of client.events.iterate({ type: ['record.created'] })) console.log(event.id)
 */
export function createClient(options: ClientOptions) {
  const request = createRequester(options)
  return {
    events: eventsResource(request),
    eventTypes: eventTypesResource(request),
    apiKeys: apiKeysResource(request),
    settings: settingsResource(request),
    projects: projectsResource(request),
    destinations: destinationsResource(request),
    deliveries: deliveriesResource(request),
    portalSessions: portalSessionsResource(request),
    /** Any other route, untyped: `client.request({ method: 'GET', path: '/v1/syncs' })`. */
    request,
  }
}

/** What `createClient` returns. */
export type SwitchyardClient = ReturnType<typeof createClient>
