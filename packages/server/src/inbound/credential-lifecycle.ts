import type { Logger } from 'pino'
import { ApiError } from '../errors.ts'
import type { CredentialHooks, CredentialRow } from '../users/index.ts'
import { releaseHeldRequests } from './request-store.ts'
import { subscribe, unsubscribe, type SetupDeps } from './setup.ts'
import { deleteCredentialValues, findTrigger, listIntegrationTriggers } from './store.ts'
import {
  credentialSubscriptions,
  deleteSubscription,
  findSubscription,
} from './subscription-store.ts'

/** One subscription torn down when its credential was deleted. */
export type Teardown = {
  triggerId: string
  status: 'removed' | 'failed'
  responseStatus?: number | null
  error?: string
}

/**
 * What triggers do when a credential changes: the first time it is VALID, subscribe it to every
 * user-level trigger that opted in (`setup.autoSubscribe`); when it works again, release the
 * requests held for it; when it is deleted, run its unsubscribe requests and release what was
 * held (nothing routes to it any more, so they end routed or unrouted).
 * @example const hooks = credentialLifecycle({ db, box, now, publicUrl, allowPrivateTargets, log })
 */
export function credentialLifecycle(deps: SetupDeps & { log: Logger }): CredentialHooks {
  return {
    statusChanged: async (row, type) => {
      if (type === 'integration.installed') await subscribeNewCredential(deps, row)
      if (type === 'credential.fixed')
        await releaseHeldRequests(deps.db.kysely, row.project_id, row.id)
    },
    deleting: (row) => teardown(deps, row),
    deleted: async (row) => {
      await deleteCredentialValues(deps.db.kysely, row.project_id, row.id)
      await releaseHeldRequests(deps.db.kysely, row.project_id, row.id)
    },
  }
}

/**
 * Runs at least once per install (the credential outbox repeats it after a crash), so triggers
 * already subscribed for the credential are skipped. A refusal is recorded on the subscription
 * (status failed, retried with POST /v1/triggers/:id/subscriptions), not thrown.
 */
async function subscribeNewCredential(deps: SetupDeps & { log: Logger }, row: CredentialRow) {
  const triggers = await listIntegrationTriggers(deps.db.kysely, row.project_id, row.integration)
  for (const trigger of triggers) {
    if (trigger.level !== 'user' || trigger.setup.mode !== 'api' || !trigger.setup.autoSubscribe)
      continue
    const existing = await findSubscription(deps.db.kysely, trigger.id, row.id)
    if (existing?.status === 'active') continue
    await subscribe(deps, trigger, row).catch((err: unknown) => {
      if (!(err instanceof ApiError)) throw err
      deps.log.warn(
        { err, triggerId: trigger.id, credentialId: row.id },
        'subscribing a new credential failed',
      )
    })
  }
}

async function teardown(
  deps: SetupDeps & { log: Logger },
  row: CredentialRow,
): Promise<Teardown[]> {
  const results: Teardown[] = []
  for (const sub of await credentialSubscriptions(deps.db.kysely, row.project_id, row.id)) {
    const trigger = await findTrigger(deps.db.kysely, sub.trigger_id)
    if (!trigger) continue
    try {
      await unsubscribe(deps, trigger, row)
      results.push({ triggerId: trigger.id, status: 'removed' })
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      // The credential goes either way: its user disconnected, and a revoked token would
      // make the unsubscribe fail forever. The answer says which webhooks may remain.
      await deleteSubscription(deps.db.kysely, trigger.id, row.id)
      const details = err.details as { status?: number | null } | undefined
      results.push({
        triggerId: trigger.id,
        status: 'failed',
        responseStatus: details?.status ?? null,
        error: err.message,
      })
    }
  }
  return results
}
