import { createHash } from 'node:crypto';
import { newId, newToken } from "../ids.js";
import { findActiveKeyByHash, insertApiKey, revokeApiKey } from "./store.js";
/** API keys look like `sy_` + 43 base64url characters; only their sha256 is stored. */
export function hashKey(key) {
    return createHash('sha256').update(key).digest();
}
/**
 * Creates a key; the plaintext is returned here and never again.
 * @example const { key } = await createApiKey(tx, { projectId, name: 'ci', role: 'member' })
 */
export async function createApiKey(q, input) {
    const key = newToken('sy_');
    const row = await insertApiKey(q, {
        id: newId(),
        projectId: input.projectId,
        name: input.name,
        role: input.role,
        prefix: key.slice(0, 10),
        hash: hashKey(key),
    });
    return { row, key };
}
/**
 * Resolves API keys with a short in-process cache: without it every request pays a lookup query.
 * A revoke in this process takes effect at once; other processes see it within `ttlMs`.
 */
export function createKeyResolver(q, options) {
    const now = options.now ?? Date.now;
    const cache = new Map();
    return {
        async resolve(token) {
            if (!token.startsWith('sy_') || token.length > 100)
                return null;
            const hash = hashKey(token).toString('hex');
            const hit = cache.get(hash);
            if (hit && hit.expires > now())
                return hit.caller;
            const row = await findActiveKeyByHash(q, Buffer.from(hash, 'hex'));
            const caller = row
                ? { kind: 'key', projectId: row.project_id, role: row.role, keyId: row.id }
                : null;
            if (cache.size > 10_000)
                cache.clear();
            cache.set(hash, { caller, expires: now() + options.ttlMs });
            return caller;
        },
        async revoke(projectId, keyId) {
            const hash = await revokeApiKey(q, projectId, keyId);
            if (hash)
                cache.delete(Buffer.from(hash).toString('hex'));
            return hash !== null;
        },
    };
}
