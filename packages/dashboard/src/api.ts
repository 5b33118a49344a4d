import { createClient, SwitchyardApiError, type RequestOptions } from '@switchyard/sdk'
import type {
  Delivery,
  DeliveryDetail,
  DeliveryStatus,
  Destination,
  DestinationIn,
  EventOut,
  EventRendering,
  EventType,
  InboundOutcome,
  InboundRequest,
  Page,
  Settings,
  Subscription,
  Sync,
  SyncErrorCode,
  SyncStatus,
  TestResult,
  Trigger,
  TriggerIn,
  TriggerPresets,
} from './api-types.ts'

export { SwitchyardApiError }

/** What the signed-in key may do: `admin` changes things; `read-only` is a viewer or member key. */
export type Role = 'admin' | 'read-only'

export interface DeliveryQuery {
  limit?: number
  cursor?: string
  destinationId?: string
  eventId?: string
  status?: DeliveryStatus
  since?: string
  until?: string
}

export interface EventQuery {
  limit?: number
  cursor?: string
  type?: string[]
  since?: string
  until?: string
}

export type DestinationAction = 'enable' | 'disable' | 'rotate-secret' | 'recover' | 'test'

// crypto.randomUUID exists only on https and localhost; a dashboard on http://10.0.0.5 still
// needs an Idempotency-Key on every POST, so the SDK is always handed one.
function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * The API as the dashboard calls it: the SDK's client (auth, retries on 5xx, errors as
 * `SwitchyardApiError`) on the same origin as the page, with the dashboard's types.
 * @example const api = createApi(key); const page = await api.destinations.list()
 */
export function createApi(apiKey: string) {
  const client = createClient({ baseUrl: window.location.origin, apiKey, retries: 1 })
  const call = <T>(options: RequestOptions) =>
    client.request<T>(
      options.method === 'POST' ? { idempotencyKey: idempotencyKey(), ...options } : options,
    )
  const get = <T>(path: string, query?: RequestOptions['query']) =>
    call<T>({ method: 'GET', path, query })
  const post = <T>(path: string, body?: unknown) => call<T>({ method: 'POST', path, body })
  const id = encodeURIComponent
  return {
    /** `admin` when the key may list API keys (admin only), else `read-only`. */
    role: async (): Promise<Role> => {
      try {
        await get('/v1/api-keys', { limit: 1 })
        return 'admin'
      } catch (error) {
        if (error instanceof SwitchyardApiError && error.status === 403) return 'read-only'
        throw error
      }
    },
    settings: {
      get: () => get<Settings>('/v1/settings'),
      put: (patch: Partial<Settings>) =>
        call<Settings>({ method: 'PUT', path: '/v1/settings', body: patch }),
    },
    eventTypes: () => get<{ data: EventType[] }>('/v1/event-types'),
    events: {
      list: (query: EventQuery = {}) => get<Page<EventOut>>('/v1/events', { ...query }),
      get: (eventId: string) => get<EventOut>(`/v1/events/${id(eventId)}`),
      /** The body each wire format's destinations receive for this event (before templates). */
      renderings: (eventId: string) =>
        get<{ data: EventRendering[] }>(`/v1/events/${id(eventId)}/renderings`),
      send: (type: string, data: Record<string, unknown>) =>
        post<EventOut>('/v1/events', { type, data }),
    },
    destinations: {
      list: (query: { limit?: number; cursor?: string } = {}) =>
        get<Page<Destination>>('/v1/destinations', { ...query }),
      /** Every destination (up to `max`), for pickers and the overview. */
      all: async (max = 1000) => {
        const all: Destination[] = []
        let cursor: string | undefined
        do {
          const page = await get<Page<Destination>>('/v1/destinations', { limit: 200, cursor })
          all.push(...page.data)
          cursor = page.nextCursor ?? undefined
        } while (cursor && all.length < max)
        return all
      },
      get: (destinationId: string) => get<Destination>(`/v1/destinations/${id(destinationId)}`),
      create: (input: DestinationIn) => post<Destination>('/v1/destinations', input),
      update: (destinationId: string, patch: Partial<DestinationIn>) =>
        call<Destination>({
          method: 'PATCH',
          path: `/v1/destinations/${id(destinationId)}`,
          body: patch,
        }),
      delete: (destinationId: string) =>
        call<void>({ method: 'DELETE', path: `/v1/destinations/${id(destinationId)}` }),
      /** Sends a webhook.test event to a configuration that is not saved yet. */
      testUnsaved: (input: Omit<DestinationIn, 'events' | 'name'>) =>
        post<TestResult>('/v1/destinations/test', input),
      action: <T = Destination>(destinationId: string, action: DestinationAction, body?: unknown) =>
        post<T>(`/v1/destinations/${id(destinationId)}/${action}`, body),
    },
    syncs: {
      list: (
        query: { limit?: number; cursor?: string; userId?: string; status?: SyncStatus } = {},
      ) => get<Page<Sync>>('/v1/syncs', { ...query }),
      action: (syncId: string, action: 'reenable' | 'disable') =>
        post<Sync>(`/v1/syncs/${id(syncId)}/${action}`),
      errorCodes: () => get<{ data: SyncErrorCode[] }>('/v1/sync-error-codes'),
    },
    triggers: {
      list: (query: { limit?: number; cursor?: string } = {}) =>
        get<Page<Trigger>>('/v1/triggers', { ...query }),
      get: (triggerId: string) => get<Trigger>(`/v1/triggers/${id(triggerId)}`),
      create: (input: TriggerIn) => post<Trigger>('/v1/triggers', input),
      update: (triggerId: string, patch: Partial<TriggerIn>) =>
        call<Trigger>({ method: 'PATCH', path: `/v1/triggers/${id(triggerId)}`, body: patch }),
      delete: (triggerId: string) =>
        call<void>({ method: 'DELETE', path: `/v1/triggers/${id(triggerId)}` }),
      presets: () => get<TriggerPresets>('/v1/trigger-presets'),
      requests: (query: {
        triggerId?: string
        outcome?: InboundOutcome
        limit?: number
        cursor?: string
      }) => get<Page<InboundRequest>>('/v1/inbound-requests', { ...query }),
      /** Routes a routed, unrouted or failed request again (answers 202 `accepted`). */
      replay: (requestId: string) =>
        post<{ id: string; outcome: 'accepted' }>(`/v1/inbound-requests/${id(requestId)}/replay`),
      subscriptions: (triggerId: string, query: { limit?: number; cursor?: string } = {}) =>
        get<Page<Subscription>>(`/v1/triggers/${id(triggerId)}/subscriptions`, { ...query }),
      /** Runs the subscribe request again (for a credential, or the app-level one). */
      subscribe: (triggerId: string, credentialId: string | null) =>
        post<Subscription>(
          `/v1/triggers/${id(triggerId)}/subscriptions`,
          credentialId === null ? {} : { credentialId },
        ),
      /** `GET /v1/triggers/:id/listen` as a fetch stream (EventSource cannot send the key). */
      listen: (triggerId: string, signal: AbortSignal) =>
        fetch(`${window.location.origin}/v1/triggers/${id(triggerId)}/listen`, {
          headers: { authorization: `Bearer ${apiKey}`, accept: 'text/event-stream' },
          signal,
        }),
    },
    deliveries: {
      list: (query: DeliveryQuery = {}) => get<Page<Delivery>>('/v1/deliveries', { ...query }),
      get: (deliveryId: string) => get<DeliveryDetail>(`/v1/deliveries/${id(deliveryId)}`),
      retry: (deliveryId: string) => post<Delivery>(`/v1/deliveries/${id(deliveryId)}/retry`),
      /** `GET /v1/stats`: the last hour's and day's figures, the backlog, per destination. */
      stats: () => client.deliveries.stats(),
    },
  }
}

export type Api = ReturnType<typeof createApi>

/** The message to show for a failed call: the API's own message, with its code. */
export function errorMessage(error: unknown): string {
  if (error instanceof SwitchyardApiError) {
    const details = validationDetails(error.details)
    return `${error.message}${details ? ` ${details}` : ''} (${error.code})`
  }
  return error instanceof Error ? error.message : String(error)
}

function validationDetails(details: unknown): string {
  if (!Array.isArray(details)) return ''
  return details
    .map((d: { path?: string; message?: string }) => [d.path, d.message].filter(Boolean).join(': '))
    .filter(Boolean)
    .join('; ')
}
