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
 * Keys that resolve and tokens that do not are cached apart, each dropping its oldest entry
 * when full: before, 10,000 made-up tokens cleared the whole cache, valid keys included, and
 * anyone could keep every client's key on a lookup per request.
 */
export function createKeyResolver(q: Queryable, options: { ttlMs: number; now?: () => number }) {
  const now = options.now ?? Date.now
  const valid = boundedCache<Caller>(10_000)
  const invalid = boundedCache<null>(10_000)
  return {
    async resolve(token: string): Promise<Caller | null> {
      if (!token.startsWith('sy_') || token.length > 100) return null
      const hash = hashKey(token).toString('hex')
      const hit = valid.get(hash, now()) ?? invalid.get(hash, now())
      if (hit !== undefined) return hit
      const row = await findActiveKeyByHash(q, Buffer.from(hash, 'hex'))
      const caller: Caller | null = row
        ? { kind: 'key', projectId: row.project_id, role: row.role, keyId: row.id }
        : null
      if (caller) valid.set(hash, caller, now() + options.ttlMs)
      else invalid.set(hash, null, now() + options.ttlMs)
      return caller
    },
    async revoke(projectId: string, keyId: string): Promise<boolean> {
      const hash = await revokeApiKey(q, projectId, keyId)
      if (hash) valid.delete(Buffer.from(hash).toString('hex'))
      return hash !== null
    },
  }
}

export type KeyResolver = ReturnType<typeof createKeyResolver>

// A Map in insertion order: when full, the entry set longest ago goes first.
function boundedCache<T>(size: number) {
  const entries = new Map<string, { value: T; expires: number }>()
  return {
    get(key: string, at: number): T | undefined {
      const hit = entries.get(key)
      return hit && hit.expires > at ? hit.value : undefined
    },
    set(key: string, value: T, expires: number): void {
      entries.delete(key)
      if (entries.size >= size) entries.delete(entries.keys().next().value!)
      entries.set(key, { value, expires })
    },
    delete: (key: string) => entries.delete(key),
  }
}
