import { paginate } from '../pagination.ts'
import type { Requester } from '../request.ts'
import type {
  DestinationCreatedOut,
  DestinationDisableIn,
  DestinationIn,
  DestinationListOptions,
  DestinationOut,
  DestinationPatchIn,
  DestinationRecoverIn,
  DestinationRecoverOut,
  DestinationSecretOut,
  DestinationTestIn,
  DestinationTestOut,
  ListResponseDestinationOut,
} from '../types.ts'
import { segment, type PostOptions } from './shared.ts'

/**
 * `client.destinations`: where events are delivered (creating and changing needs the admin role).
 *
 * @example
 * const destination = await client.destinations.create({ url: 'https://example.com/webhooks' })
 * await client.destinations.test(destination.id)
 */
export function destinationsResource(request: Requester) {
  const path = (id: string, action = '') => `/v1/destinations/${segment(id)}${action}`
  const post = <T>(id: string, action: string, body?: unknown) =>
    request<T>({ method: 'POST', path: path(id, action), body })
  const list = (options: DestinationListOptions = {}) =>
    request<ListResponseDestinationOut>({ method: 'GET', path: '/v1/destinations', query: options })
  return {
    create: (destination: DestinationIn, options: PostOptions = {}) =>
      request<DestinationCreatedOut>({
        method: 'POST',
        path: '/v1/destinations',
        body: destination,
        ...options,
      }),
    /** One page of destinations. */
    list,
    /** Every destination, page after page. */
    iterate: (options: Omit<DestinationListOptions, 'cursor'> = {}) =>
      paginate((cursor) => list({ ...options, cursor })),
    get: (id: string) => request<DestinationOut>({ method: 'GET', path: path(id) }),
    /** Changes the fields sent. */
    update: (id: string, patch: DestinationPatchIn) =>
      request<DestinationOut>({ method: 'PATCH', path: path(id), body: patch }),
    delete: (id: string) => request<void>({ method: 'DELETE', path: path(id) }),
    /** Sends a `webhook.test` event: to a saved destination (by id) or to one not yet saved. */
    test: (target: string | DestinationTestIn) =>
      typeof target === 'string'
        ? post<DestinationTestOut>(target, '/test')
        : request<DestinationTestOut>({
            method: 'POST',
            path: '/v1/destinations/test',
            body: target,
          }),
    enable: (id: string) => post<DestinationOut>(id, '/enable'),
    disable: (id: string, input?: DestinationDisableIn) =>
      post<DestinationOut>(id, '/disable', input),
    /** Issues a new signing secret; the old one keeps signing alongside it for a grace period. */
    rotateSecret: (id: string) => post<DestinationSecretOut>(id, '/rotate-secret'),
    /** Replays the destination's failed deliveries since a time. */
    recover: (id: string, input: DestinationRecoverIn) =>
      post<DestinationRecoverOut>(id, '/recover', input),
  }
}
