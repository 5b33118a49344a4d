import { apiError } from '../errors.ts'
import { integrationVars } from '../integrations/index.ts'
import { withTransaction, type Db } from '../store/index.ts'
import { credentialTokens, type CredentialRow } from '../users/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { newId } from '../ids.ts'
import { closeWindow, openWindow } from './handshakes/window-store.ts'
import { callProvider, type ProviderAnswer } from './provider-call.ts'
import { sealTriggerValues, secretResolver } from './secrets.ts'
import { deleteTriggerValues, writeTriggerValues } from './store.ts'
import {
  deleteSubscription,
  upsertSubscription,
  type SubscriptionRow,
} from './subscription-store.ts'
import { triggerUrl } from './trigger-view.ts'
import type { SetupRequest, TriggerRow } from './types.ts'
import { jsonPathValues } from './values.ts'

export interface SetupDeps {
  db: Db
  box: SecretBox
  now: () => Date
  publicUrl: string
  allowPrivateTargets: boolean
}

/**
 * API setup: runs the trigger's subscribe request for a credential, or — with no credential, for
 * an app-level trigger — once with the integration's developer tokens. Templates see
 * `{{settings.webhookURL}}`, `{{credential.*}}`, `{{integration.*}}` and `{{persisted.*}}`.
 * A success keeps the values `persist` names and marks the subscription active in one
 * transaction; a refusal marks it failed with the provider's status and body and keeps nothing
 * else. No transaction is open while the provider is called: it may call /hooks (Asana's
 * handshake) before it answers.
 * @throws subscription_failed (502) when the provider refuses or cannot be reached
 */
export async function subscribe(
  deps: SetupDeps,
  trigger: TriggerRow,
  credential: CredentialRow | null,
): Promise<{ subscription: SubscriptionRow; persisted: string[] }> {
  const spec = apiSetup(trigger, 'subscribe', credential)
  const vars = await templateValues(deps, trigger, credential)
  const answer = await expectingHandshake(deps, trigger, credential, () =>
    callProvider(spec, vars, deps.allowPrivateTargets),
  )
  const ids = { triggerId: trigger.id, credentialId: credential?.id ?? '' }
  const fields = { ...ids, projectId: trigger.project_id, now: deps.now() }
  if (!succeeded(answer)) {
    const failed = await upsertSubscription(deps.db.kysely, {
      ...fields,
      status: 'failed',
      responseStatus: answer.status,
      error: answer.text.slice(0, 1000),
    })
    throw providerRefused('subscribe', answer, failed)
  }
  const values = persistedValues(spec, answer.text)
  const sealed = await sealTriggerValues(deps.box, ids.triggerId, ids.credentialId, values)
  const subscription = await withTransaction(deps.db.kysely, async (tx) => {
    await writeTriggerValues(tx, { ...ids, sealed, now: fields.now })
    return upsertSubscription(tx, {
      ...fields,
      status: 'active',
      responseStatus: answer.status,
      error: null,
    })
  })
  return { subscription, persisted: Object.keys(values) }
}

/**
 * Runs the unsubscribe request (when there is one) and forgets the subscription and its values.
 * A provider that no longer knows the webhook (404, 410) is what was asked.
 * @throws subscription_failed (502) when the provider refuses; the subscription is kept
 */
export async function unsubscribe(
  deps: SetupDeps,
  trigger: TriggerRow,
  credential: CredentialRow | null,
): Promise<void> {
  const spec = trigger.setup.unsubscribe
  if (spec) {
    apiSetup(trigger, 'unsubscribe', credential)
    const vars = await templateValues(deps, trigger, credential)
    const answer = await callProvider(spec, vars, deps.allowPrivateTargets)
    if (!succeeded(answer) && answer.status !== 404 && answer.status !== 410)
      throw providerRefused('unsubscribe', answer, null)
  }
  const credentialId = credential?.id ?? ''
  await deleteSubscription(deps.db.kysely, trigger.id, credentialId)
  await deleteTriggerValues(deps.db.kysely, trigger.id, credentialId)
}

// Longer than a provider call may take (provider-call.ts gives up after 15 s).
const setupWindowMs = 60_000

/**
 * Runs `call` with a handshake window open: Asana sends its X-Hook-Secret to the webhook URL
 * while our subscribe call is in flight, and the value it carries replaces the one kept (see
 * handshakes/keep-values.ts). The window is a row, so it holds whichever process the handshake
 * reaches; it closes when the call ends.
 */
async function expectingHandshake<T>(
  deps: SetupDeps,
  trigger: TriggerRow,
  credential: CredentialRow | null,
  call: () => Promise<T>,
): Promise<T> {
  const openedAt = deps.now()
  const window = await openWindow(deps.db.kysely, {
    id: newId(),
    trigger_id: trigger.id,
    // The URL the provider is given carries ?id= only for a user-level trigger.
    credential_id: trigger.level === 'user' && credential ? credential.id : '',
    kind: 'setup',
    openedAt,
    expiresAt: new Date(openedAt.getTime() + setupWindowMs),
  })
  try {
    return await call()
  } finally {
    await closeWindow(deps.db.kysely, window.id)
  }
}

function apiSetup(
  trigger: TriggerRow,
  step: 'subscribe' | 'unsubscribe',
  credential: CredentialRow | null,
): SetupRequest {
  const spec = trigger.setup[step]
  if (trigger.setup.mode !== 'api' || !spec)
    throw apiError('conflict', 'This trigger is set up manually (setup.mode "manual").')
  if (!credential && trigger.level === 'user')
    throw apiError('validation_failed', 'A user-level trigger subscribes per credential.', [
      { path: '/credentialId', message: 'is required for a user-level trigger' },
    ])
  return spec
}

async function templateValues(
  deps: SetupDeps,
  trigger: TriggerRow,
  credential: CredentialRow | null,
) {
  const integration = await integrationVars(deps, trigger.project_id, trigger.integration)
  const persisted = await secretResolver(deps, trigger, credential).persisted()
  const webhookURL =
    triggerUrl(deps.publicUrl, trigger.id) +
    (trigger.level === 'user' && credential ? `?id=${encodeURIComponent(credential.id)}` : '')
  const credentialVars = credential
    ? {
        ...(await credentialTokens(deps.box, credential)),
        id: credential.id,
        userId: credential.user_id,
        providerAccountId: credential.provider_account_id ?? '',
      }
    : {}
  return { settings: { webhookURL }, credential: credentialVars, integration, persisted }
}

const succeeded = (answer: ProviderAnswer) =>
  answer.status !== null && answer.status >= 200 && answer.status < 300

function persistedValues(spec: SetupRequest, text: string): Record<string, string> {
  if (!spec.persist) return {}
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  const values: Record<string, string> = {}
  for (const [name, path] of Object.entries(spec.persist)) {
    const found = jsonPathValues(path, json)[0]
    if (found !== undefined) values[name] = found
  }
  return values
}

function providerRefused(step: string, answer: ProviderAnswer, failed: SubscriptionRow | null) {
  const what =
    answer.status === null
      ? answer.text
      : `The provider answered the ${step} request with ${answer.status}.`
  return apiError('subscription_failed', what, {
    status: answer.status,
    body: answer.text.slice(0, 1000),
    ...(failed ? { subscription: subscriptionOut(failed) } : {}),
  })
}

/** The API view of a subscription; `credentialId` null for the app-level one. */
export function subscriptionOut(row: SubscriptionRow) {
  return {
    triggerId: row.trigger_id,
    credentialId: row.credential_id === '' ? null : row.credential_id,
    status: row.status,
    responseStatus: row.response_status,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}
