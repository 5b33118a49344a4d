import { paginate } from '../pagination.ts'
import type { Requester } from '../request.ts'
import type {
  ListOptions,
  ListResponsePortalSessionOut,
  PortalSessionCreatedOut,
  PortalSessionExchangeOut,
  PortalSessionIn,
  PortalSessionOut,
} from '../types.ts'
import { segment, type PostOptions } from './shared.ts'

/**
 * `client.portalSessions`: short-lived, revocable sessions for a platform's own customers
 * (project admin key; or the instance admin token with `projectId`). docs/portal-sessions.md.
 *
 * @example
 * const { url } = await client.portalSessions.create({ userId: 'user_42', readOnly: false })
 * // hand `url` to the customer's browser: the token is in its fragment
 */
export function portalSessionsResource(request: Requester) {
  const list = (options: ListOptions & { projectId?: string } = {}) =>
    request<ListResponsePortalSessionOut>({
      method: 'GET',
      path: '/v1/portal-sessions',
      query: options,
    })
  return {
    /** Creates a session; its `url` (one-time token in the fragment) is in this answer only. */
    create: (session: PortalSessionIn = {}, options: PostOptions = {}) =>
      request<PortalSessionCreatedOut>({
        method: 'POST',
        path: '/v1/portal-sessions',
        body: session,
        ...options,
      }),
    /** Exchanges a link's token, once, for the session credential (what the portal page does). */
    exchange: (token: string) =>
      request<PortalSessionExchangeOut>({
        method: 'POST',
        path: '/v1/portal-sessions/exchange',
        body: { token },
      }),
    /** One page of sessions, newest first. */
    list,
    /** Every session, page after page. */
    iterate: (options: Omit<ListOptions, 'cursor'> & { projectId?: string } = {}) =>
      paginate((cursor) => list({ ...options, cursor })),
    /** Revokes a session at once; answers it as it now is. */
    revoke: (id: string, options: { projectId?: string } = {}) =>
      request<PortalSessionOut>({
        method: 'DELETE',
        path: `/v1/portal-sessions/${segment(id)}`,
        query: options,
      }),
  }
}
