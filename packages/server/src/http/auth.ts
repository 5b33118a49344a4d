import type { FastifyInstance, FastifyRequest } from 'fastify'
import { apiError } from '../errors.ts'

/** Roles, weakest first: each role may do everything the ones before it may. */
export const projectRoles = ['viewer', 'member', 'admin'] as const
export type ProjectRole = (typeof projectRoles)[number]

/** Who is calling. */
export type Caller =
  | { kind: 'instance' } // the instance admin token: manages projects
  | { kind: 'key'; projectId: string; role: ProjectRole; keyId: string } // a project API key
  | { kind: 'user'; projectId: string; userId: string } // a connected user's token (sync read API)
  | PortalCaller // a portal session's credential (portal routes only)

/** A portal session (portal/): its project, and optionally one user, event types, reading only. */
export interface PortalCaller {
  kind: 'portal'
  projectId: string
  sessionId: string
  /** Null: the session sees every destination of the project. */
  userId: string | null
  /** Canonical types it may subscribe to; null: any. */
  eventTypes: string[] | null
  readOnly: boolean
}

/** Session credentials start so; anything else is never looked up as one. */
export const portalCredentialPrefix = 'syps_'

/** What a route needs, declared in its `config.auth`. */
export type RouteAuth =
  | 'public'
  | 'instance'
  | {
      role: ProjectRole
      allowUserToken?: boolean
      /** A portal session may call it: to read, or to change (refused when read-only). */
      portal?: 'read' | 'write'
      /** The instance admin token may call it too, naming the project (portal sessions). */
      allowInstance?: boolean
    }

export interface Authenticators {
  /** Is this the instance admin token? */
  checkInstanceToken: (token: string) => boolean
  /** Resolves a project API key, or null. */
  projectKey: (token: string) => Promise<Caller | null>
  /** Resolves a user token (JWT), or null; absent until user tokens exist. */
  userToken?: (token: string) => Promise<Caller | null>
  /**
   * Resolves a portal session credential, or null when unknown; throws portal_session_expired
   * or portal_session_revoked for a session that was valid.
   */
  portalSession?: (token: string) => Promise<PortalCaller | null>
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null
  }
  interface FastifyContextConfig {
    auth?: RouteAuth
  }
}

/**
 * Checks every request against its route's `config.auth`; routes without one are refused.
 * Runs in `onRequest`: a request without a valid key is answered before its body is read, and
 * the caller's rate limit (`limit`) is taken on the key it resolved to, before anything else.
 */
export function installAuth(
  app: FastifyInstance,
  authenticators: Authenticators,
  limit: (caller: Caller | null) => void,
): void {
  app.decorateRequest('caller', null)
  app.addHook('onRequest', async (request) => {
    const required = request.routeOptions.config.auth
    if (required === undefined || required === 'public') return
    const token = bearerToken(request)
    if (!token) throw apiError('unauthorized', 'Missing "Authorization: Bearer <key>" header.')
    request.caller = await identify(token, required, authenticators)
    limit(request.caller)
    if (!request.caller) {
      await refuseWrongKind(token, required, authenticators)
      throw apiError('unauthorized', 'The key is not valid (unknown, revoked or expired).')
    }
    checkAllowed(request.caller, required)
  })
}

async function identify(
  token: string,
  required: RouteAuth,
  authenticators: Authenticators,
): Promise<Caller | null> {
  if (required === 'instance') {
    return authenticators.checkInstanceToken(token) ? { kind: 'instance' } : null
  }
  if (
    typeof required === 'object' &&
    required.allowInstance &&
    authenticators.checkInstanceToken(token)
  )
    return { kind: 'instance' }
  if (token.startsWith(portalCredentialPrefix) && typeof required === 'object') {
    if (!required.portal || !authenticators.portalSession)
      throw apiError('portal_route_not_allowed')
    return authenticators.portalSession(token)
  }
  const looksLikeJwt = token.split('.').length === 3
  if (
    looksLikeJwt &&
    typeof required === 'object' &&
    required.allowUserToken &&
    authenticators.userToken
  ) {
    return authenticators.userToken(token)
  }
  return authenticators.projectKey(token)
}

/**
 * A valid key of another kind than the route takes (a project key on /v1/projects, the instance
 * token or a user token on a project route) is refused with 403 and a code naming the kind the
 * route takes, not "not valid". Runs only after the route's own kind did not match.
 */
async function refuseWrongKind(
  token: string,
  required: Exclude<RouteAuth, 'public'>,
  authenticators: Authenticators,
): Promise<void> {
  const isUserToken = async () =>
    token.split('.').length === 3 &&
    authenticators.userToken !== undefined &&
    (await authenticators.userToken(token).catch(() => null)) !== null
  if (required === 'instance') {
    const sent = (await authenticators.projectKey(token))
      ? 'a project API key'
      : (await isUserToken())
        ? 'a user token'
        : null
    if (sent)
      throw apiError(
        'instance_token_required',
        `This route takes the instance admin token (SWITCHYARD_ADMIN_TOKEN); this is ${sent}.`,
      )
    return
  }
  const sent = authenticators.checkInstanceToken(token)
    ? 'the instance admin token, which only manages projects (/v1/projects)'
    : !required.allowUserToken && (await isUserToken())
      ? 'a user token, which only reads synced records (GET /v1/syncs/…)'
      : null
  if (sent)
    throw apiError(
      'project_key_required',
      `This route takes a project API key with the "${required.role}" role or above; this is ${sent}.`,
    )
}

function checkAllowed(caller: Caller, required: RouteAuth): void {
  if (required === 'public' || required === 'instance') return
  if (caller.kind === 'user') {
    if (!required.allowUserToken)
      throw apiError('forbidden', 'User tokens may only read synced records.')
    return
  }
  if (caller.kind === 'instance' && required.allowInstance) return
  if (caller.kind === 'portal') {
    if (!required.portal) throw apiError('portal_route_not_allowed')
    if (required.portal === 'write' && caller.readOnly)
      throw apiError('portal_read_only', 'This portal session is read-only; it cannot change this.')
    return
  }
  if (caller.kind !== 'key') throw apiError('forbidden')
  if (projectRoles.indexOf(caller.role) < projectRoles.indexOf(required.role)) {
    throw apiError(
      'forbidden',
      `This action needs the "${required.role}" role; this key is "${caller.role}".`,
    )
  }
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (!header) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1] ?? null
}

/**
 * The user a portal session is scoped to, or null (any other caller, or a project-wide session):
 * such a session sees only destinations filtered to that user and their deliveries.
 * @example const userId = portalUserOf(request)
 */
export function portalUserOf(request: FastifyRequest): string | null {
  return request.caller?.kind === 'portal' ? request.caller.userId : null
}

/**
 * The project of the calling key or user token; routes with a role requirement always have one.
 * @example const projectId = callerProject(request)
 */
export function callerProject(request: FastifyRequest): string {
  const caller = request.caller
  if (!caller || caller.kind === 'instance') throw apiError('unauthorized')
  return caller.projectId
}
