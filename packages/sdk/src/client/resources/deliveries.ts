import { paginate } from '../pagination.ts'
import type { Requester } from '../request.ts'
import type {
  DeliveryListOptions,
  DeliveryOut,
  DeliveryRetryOut,
  ListResponseDeliveryOut,
  StatsOptions,
  StatsOut,
} from '../types.ts'
import { segment, type PostOptions } from './shared.ts'

/**
 * `client.deliveries`: each event's sends to each destination, with their attempts.
 *
 * @example
 * const delivery = await client.deliveries.get(id)
 * if (delivery.status === 'failed') await client.deliveries.retry(id)
 */
export function deliveriesResource(request: Requester) {
  const list = (options: DeliveryListOptions = {}) =>
    request<ListResponseDeliveryOut>({ method: 'GET', path: '/v1/deliveries', query: options })
  return {
    /** One page of deliveries, newest first. */
    list,
    /** Every delivery matching `options`, page after page. */
    iterate: (options: Omit<DeliveryListOptions, 'cursor'> = {}) =>
      paginate((cursor) => list({ ...options, cursor })),
    /** One delivery with its attempts. */
    get: (id: string) =>
      request<DeliveryOut>({ method: 'GET', path: `/v1/deliveries/${segment(id)}` }),
    /** Sends a delivery again now. */
    retry: (id: string, options: PostOptions = {}) =>
      request<DeliveryRetryOut>({
        method: 'POST',
        path: `/v1/deliveries/${segment(id)}/retry`,
        ...options,
      }),
    /**
     * The project's figures (or one destination's, with `destinationId`): deliveries by status,
     * success rate, attempt and first-success latency over the last hour and day, the backlog.
     */
    stats: (options: StatsOptions = {}) =>
      request<StatsOut>({ method: 'GET', path: '/v1/stats', query: options }),
  }
}
