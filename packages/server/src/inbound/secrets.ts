import { integrationTokens } from '../integrations/index.ts'
import type { Db } from '../store/index.ts'
import { credentialTokens, type CredentialRow } from '../users/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { readTriggerValues } from './store.ts'
import type { SecretRef, StoredSecretRef, TriggerRow } from './types.ts'

/** Encryption contexts: a sealed value opens only for the row it was sealed for. */
export const triggerSecretContext = (triggerId: string) => `trigger-secret:${triggerId}`
export const triggerValueContext = (triggerId: string, credentialId: string, key: string) =>
  `trigger-value:${triggerId}:${credentialId}:${key}`

export interface SecretResolver {
  /** The values of `refs`, in order; references that name nothing or an empty value are skipped. */
  resolve(refs: readonly (StoredSecretRef | SecretRef)[]): Promise<string[]>
  /** The persisted values of the trigger (and of the credential, which win), decrypted. */
  persisted(): Promise<Record<string, string>>
  /** The developer tokens of the trigger's integration, decrypted. */
  integrationTokens(): Promise<Record<string, string>>
}

/**
 * Resolves a trigger's secrets for one request: sealed literals, the credential's tokens
 * (per-connection secrets), the integration's developer tokens (read at each request, so a
 * rotated token applies at once), or values a handshake or API setup persisted. Reads lazily, once.
 * @example const secrets = await secretResolver(deps, trigger, credential).resolve(refs)
 */
export function secretResolver(
  deps: { db: Db; box: SecretBox },
  trigger: Pick<TriggerRow, 'id' | 'project_id' | 'integration'>,
  credential: CredentialRow | null,
): SecretResolver {
  const triggerId = trigger.id
  let tokens: Promise<Record<string, unknown>> | null = null
  let persisted: Promise<Record<string, string>> | null = null
  let developer: Promise<Record<string, string>> | null = null
  const persistedOnce = () => (persisted ??= readPersisted(deps, triggerId, credential?.id ?? ''))
  const developerOnce = () =>
    (developer ??= integrationTokens(deps, trigger.project_id, trigger.integration))
  const one = async (ref: StoredSecretRef | SecretRef): Promise<string | null> => {
    if (typeof ref === 'string') return ref
    if ('sealed' in ref) return deps.box.open(ref.sealed, triggerSecretContext(triggerId))
    if (ref.from === 'persisted') return (await persistedOnce())[ref.key] ?? null
    if (ref.from === 'integration') return (await developerOnce())[ref.key] ?? null
    if (!credential) return null
    tokens ??= credentialTokens(deps.box, credential)
    const value = (await tokens)[ref.key]
    return typeof value === 'string' ? value : null
  }
  return {
    // A reference that resolves to an empty value (a removed token, a credential's "") names no
    // secret: verifying with it would accept an HMAC keyed with "" that anyone can compute.
    resolve: async (refs) =>
      (await Promise.all(refs.map(one))).filter((v): v is string => v !== null && v.trim() !== ''),
    persisted: persistedOnce,
    integrationTokens: developerOnce,
  }
}

async function readPersisted(
  deps: { db: Db; box: SecretBox },
  triggerId: string,
  credentialId: string,
): Promise<Record<string, string>> {
  const scopes = credentialId === '' ? [''] : ['', credentialId]
  const values: Record<string, string> = {}
  for (const scope of scopes) {
    const sealed = await readTriggerValues(deps.db.kysely, triggerId, scope)
    for (const [key, value] of Object.entries(sealed))
      values[key] = await deps.box.open(value, triggerValueContext(triggerId, scope, key))
  }
  return values
}

/** Seals values for a trigger and credential ('' = the whole trigger), ready to write. */
export async function sealTriggerValues(
  box: SecretBox,
  triggerId: string,
  credentialId: string,
  values: Record<string, string>,
): Promise<Record<string, string>> {
  const sealed: Record<string, string> = {}
  for (const [key, value] of Object.entries(values))
    sealed[key] = await box.seal(value, triggerValueContext(triggerId, credentialId, key))
  return sealed
}
