import { createHash } from 'node:crypto'
import type { Queryable } from '../store/index.ts'
import type { Caller, ProjectRole } from '../http/auth.ts'
import { newId, newToken } from '../ids.ts'
import { findActiveKeyByHash, insertApiKey, revokeApiKey, type ApiKeyRow } from './store.ts'

/** API keys look like `sy_` + 43 base64url characters; only their sha256 is stored. */
export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest()
}

/**
 * Creates a key; the plaintext is returned here and never again.
 * @example const { key } = await createApiKey(tx, { projectId, name: 'ci', role: 'member' })
 */
export async function createApiKey(
  q: Queryable,
  input: { projectId: string; name: string; role: ProjectRole },
): Promise<{ row: ApiKeyRow; key: string }> {
  const key = newToken('sy_')
  const row = await insertApiKey(q, {
    id: newId(),
    projectId: input.projectId,
    name: input.name,
    role: input.role,
    prefix: key.slice(0, 10),
    hash: hashKey(key),
  })
  return { row, key }
}

/**
 * Resolves API keys with a short in-process cache: without it every request pays a lookup query.
 * A revoke in this process takes effect at once; other processes see it within `ttlMs`.
 */
export function createKeyResolver(q: Queryable, options: { ttlMs: number; now?: () => number }) {
  const now = options.now ?? Date.now
  const cache = new Map<string, { caller: Caller | null; expires: number }>()
  return {
    async resolve(token: string): Promise<Caller | null> {
      if (!token.startsWith('sy_') || token.length > 100) return null
      const hash = hashKey(token).toString('hex')
      const hit = cache.get(hash)
      if (hit && hit.expires > now()) return hit.caller
      const row = await findActiveKeyByHash(q, Buffer.from(hash, 'hex'))
      const caller: Caller | null = row
        ? { kind: 'key', projectId: row.project_id, role: row.role, keyId: row.id }
        : null
      if (cache.size > 10_000) cache.clear()
      cache.set(hash, { caller, expires: now() + options.ttlMs })
      return caller
    },
    async revoke(projectId: string, keyId: string): Promise<boolean> {
      const hash = await revokeApiKey(q, projectId, keyId)
      if (hash) cache.delete(Buffer.from(hash).toString('hex'))
      return hash !== null
    },
  }
}

export type KeyResolver = ReturnType<typeof createKeyResolver>
