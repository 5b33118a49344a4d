import type { FastifyRequest } from 'fastify'
import { apiError } from '../errors.ts'
import { callerProject } from '../http/auth.ts'
import { isUuid } from '../ids.ts'
import type { Queryable } from '../store/index.ts'
import { findSync, type SyncScope } from './store.ts'
import type { SyncRow } from './types.ts'

/**
 * What the caller may see: its project's syncs with a project key, only its own with a user
 * token (another user's sync answers 404, like another project's).
 */
export function callerScope(request: FastifyRequest): SyncScope {
  const caller = request.caller
  return {
    projectId: callerProject(request),
    userId: caller?.kind === 'user' ? caller.userId : null,
  }
}

/**
 * The sync `id` in the caller's scope.
 * @throws not_found for a malformed id, another project's or another user's sync
 */
export async function loadSync(
  q: Queryable,
  request: FastifyRequest,
  id: string,
): Promise<SyncRow> {
  const sync = isUuid(id) ? await findSync(q, callerScope(request), id) : null
  if (!sync) throw apiError('not_found', `No sync ${id} in this project.`)
  return sync
}
