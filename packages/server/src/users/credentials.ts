import type { Publisher } from '../events/index.ts'
import { apiError } from '../errors.ts'
import { withTransaction, type Db } from '../store/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import {
  clearPendingEvents,
  deleteCredentialRow,
  findCredential,
  findCredentialForUpdate,
  saveCredential,
  upsertUser,
  type CredentialRow,
  type PendingEvent,
} from './store.ts'
import { mergeCredential, type CredentialIn } from './transitions.ts'

export interface CredentialDeps {
  db: Db
  box: SecretBox
  publisher: Publisher
  now: () => Date
  hooks?: CredentialHooks
}

/**
 * What other features do when a credential changes (inbound triggers: API setup per credential,
 * held requests). Given by the composition root: users do not know triggers.
 */
export interface CredentialHooks {
  /**
   * After a status event is stored, before the outbox is cleared: a crash in between runs it
   * again, so it must be idempotent.
   */
  statusChanged?(row: CredentialRow, type: PendingEvent['type']): Promise<void>
  /** Before the credential is deleted (its tokens still readable); what it answers is reported. */
  deleting?(row: CredentialRow): Promise<Record<string, unknown>[]>
  /** After the credential is deleted. */
  deleted?(row: CredentialRow): Promise<void>
}

/**
 * Creates or changes a credential, then stores the status event it owes. The credential and its
 * outbox commit together; the event follows, published with an idempotency key, so a crash in
 * between is repaired by the next flush without a duplicate.
 * @example await putCredential(deps, projectId, 'cred_1', { userId: 'u1', integration: 'slack', status: 'VALID' })
 */
export async function putCredential(
  deps: CredentialDeps,
  ids: { projectId: string; id: string },
  input: CredentialIn,
): Promise<{ row: CredentialRow; created: boolean }> {
  const now = deps.now()
  // Sealed before the transaction: loading the key may read or write the key file.
  const sealed =
    input.tokens === undefined || input.tokens === null
      ? input.tokens
      : await deps.box.seal(JSON.stringify(input.tokens), credentialTokenContext(ids))
  const { row, created } = await withTransaction(deps.db.kysely, async (tx) => {
    const stored = await findCredentialForUpdate(tx, ids.projectId, ids.id)
    const next = mergeCredential(stored, input, ids, sealed, now)
    await upsertUser(tx, { projectId: ids.projectId, id: next.user_id, metadata: null, now })
    return { row: await saveCredential(tx, next), created: stored === null }
  })
  return { row: await flushCredentialEvents(deps, row), created }
}

/**
 * Publishes the outbox's events (each once, by its key) and clears the outbox.
 * @returns the row as it is after the flush
 */
export async function flushCredentialEvents(
  deps: Pick<CredentialDeps, 'db' | 'publisher' | 'hooks'>,
  row: CredentialRow,
): Promise<CredentialRow> {
  const pending = row.pending_events ?? []
  for (const event of pending) {
    const input = {
      type: event.type,
      data: event.data,
      userId: row.user_id,
      credentialId: row.id,
      integration: row.integration,
    }
    await deps.publisher.publish(deps.db.kysely, row.project_id, [input], { key: event.key })
    await deps.hooks?.statusChanged?.(row, event.type)
  }
  if (pending.length === 0) return row
  await clearPendingEvents(deps.db.kysely, row.project_id, row.id, pending)
  return { ...row, pending_events: null }
}

/**
 * Deletes a credential: the `deleting` hook runs first (unsubscribe requests need its tokens),
 * then the row goes, so nothing routes to it any more.
 * @returns what the hooks reported (one entry per subscription torn down)
 * @throws not_found when the project has no such credential
 */
export async function deleteCredential(
  deps: CredentialDeps,
  ids: { projectId: string; id: string },
): Promise<Record<string, unknown>[]> {
  const row = await requireCredential(deps.db, ids.projectId, ids.id)
  const teardown = (await deps.hooks?.deleting?.(row)) ?? []
  await deleteCredentialRow(deps.db.kysely, ids.projectId, ids.id)
  await deps.hooks?.deleted?.(row)
  return teardown
}

/** The decrypted tokens of a credential (for trigger secrets and API setup), {} when none. */
export async function credentialTokens(
  box: SecretBox,
  row: Pick<CredentialRow, 'project_id' | 'id' | 'tokens_ciphertext'>,
): Promise<Record<string, unknown>> {
  if (!row.tokens_ciphertext) return {}
  const text = await box.open(
    row.tokens_ciphertext,
    credentialTokenContext({ projectId: row.project_id, id: row.id }),
  )
  return JSON.parse(text) as Record<string, unknown>
}

/** @throws not_found when the project has no such credential */
export async function requireCredential(
  db: Db,
  projectId: string,
  id: string,
): Promise<CredentialRow> {
  const row = await findCredential(db.kysely, projectId, id)
  if (!row) throw apiError('not_found', `No credential ${id} in this project.`)
  return row
}

/** The encryption context of a credential's tokens: they open only for that credential. */
export function credentialTokenContext(ids: { projectId: string; id: string }): string {
  return `credential-tokens:${ids.projectId}:${ids.id}`
}
