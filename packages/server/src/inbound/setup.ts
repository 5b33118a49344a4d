import dns from 'node:dns/promises'
import { isIP } from 'node:net'
import { request as httpRequest } from 'undici'
import { isPrivateAddress } from '../delivery/index.ts'
import { apiError } from '../errors.ts'
import type { Db } from '../store/index.ts'
import { credentialTokens, type CredentialRow, type SecretBox } from '../users/index.ts'
import { persistTriggerValues, secretResolver } from './secrets.ts'
import { deleteSubscription, deleteTriggerValues, upsertSubscription } from './store.ts'
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

const timeoutMs = 15_000

/**
 * API setup: runs the trigger's subscribe request for a credential (templated with
 * `{{settings.webhookURL}}`, `{{credential.*}}`, `{{persisted.*}}`), then keeps the values its
 * `persist` names from the JSON answer. No transaction is open while the provider is called: it
 * may call /hooks (Asana's handshake) before it answers.
 * @returns the persisted value names
 */
export async function subscribe(
  deps: SetupDeps,
  trigger: TriggerRow,
  credential: CredentialRow,
): Promise<string[]> {
  const spec = trigger.setup.subscribe
  if (trigger.setup.mode !== 'api' || !spec)
    throw apiError('conflict', 'This trigger is set up manually (setup.mode "manual").')
  const answer = await callProvider(deps, spec, await templateValues(deps, trigger, credential))
  const ok = answer.status >= 200 && answer.status < 300
  await upsertSubscription(deps.db.kysely, {
    triggerId: trigger.id,
    credentialId: credential.id,
    projectId: trigger.project_id,
    status: ok ? 'active' : 'failed',
    responseStatus: answer.status,
    error: ok ? null : answer.text.slice(0, 1000),
    now: deps.now(),
  })
  if (!ok) throw providerRefused('subscribe', answer)
  const values = persistedValues(spec, answer.text)
  await persistTriggerValues(deps, trigger.id, credential.id, values)
  return Object.keys(values)
}

/** Runs the unsubscribe request (when there is one) and forgets the subscription and its values. */
export async function unsubscribe(
  deps: SetupDeps,
  trigger: TriggerRow,
  credential: CredentialRow,
): Promise<void> {
  const spec = trigger.setup.unsubscribe
  if (spec) {
    const answer = await callProvider(deps, spec, await templateValues(deps, trigger, credential))
    // 404/410: the provider already forgot the webhook, which is what was asked.
    if (
      (answer.status < 200 || answer.status >= 300) &&
      answer.status !== 404 &&
      answer.status !== 410
    )
      throw providerRefused('unsubscribe', answer)
  }
  await deleteSubscription(deps.db.kysely, trigger.id, credential.id)
  await deleteTriggerValues(deps.db.kysely, trigger.id, credential.id)
}

async function templateValues(deps: SetupDeps, trigger: TriggerRow, credential: CredentialRow) {
  const tokens = await credentialTokens(deps.box, credential)
  const persisted = await secretResolver(deps, trigger.id, credential).persisted()
  const webhookURL =
    triggerUrl(deps.publicUrl, trigger.id) +
    (trigger.level === 'user' ? `?id=${encodeURIComponent(credential.id)}` : '')
  return {
    settings: { webhookURL },
    credential: {
      ...tokens,
      id: credential.id,
      userId: credential.user_id,
      providerAccountId: credential.provider_account_id ?? '',
    },
    persisted,
  }
}

/**
 * Replaces `{{path.to.value}}` in every string of `value`.
 * @example renderTemplate('{{settings.webhookURL}}', { settings: { webhookURL: 'https://x' } }) // 'https://x'
 */
export function renderTemplate(value: unknown, vars: Record<string, unknown>): unknown {
  if (typeof value === 'string')
    return value.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, path: string) => {
      const found = path
        .split('.')
        .reduce<unknown>(
          (at, key) =>
            at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined,
          vars,
        )
      return found === undefined || found === null ? '' : String(found)
    })
  if (Array.isArray(value)) return value.map((v) => renderTemplate(v, vars))
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderTemplate(v, vars)]))
  return value
}

async function callProvider(deps: SetupDeps, spec: SetupRequest, vars: Record<string, unknown>) {
  const url = String(renderTemplate(spec.url, vars))
  const headers = renderTemplate(spec.headers ?? {}, vars) as Record<string, string>
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
  const accessToken = (vars['credential'] as Record<string, unknown>)['accessToken']
  // The integration's own auth by default: the credential's bearer token.
  if (!lower['authorization'] && typeof accessToken === 'string')
    lower['authorization'] = `Bearer ${accessToken}`
  const body = spec.body === undefined ? undefined : JSON.stringify(renderTemplate(spec.body, vars))
  if (body !== undefined) lower['content-type'] ??= 'application/json'
  await refusePrivateTarget(url, deps.allowPrivateTargets)
  try {
    const res = await httpRequest(url, {
      method: spec.method as 'POST',
      headers: lower,
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    })
    return { status: res.statusCode, text: await res.body.text() }
  } catch (error) {
    throw apiError(
      'subscription_failed',
      `The provider could not be reached: ${(error as Error).message}`,
      { url },
    )
  }
}

// Checked at call time; an admin-set URL must not reach the instance's own network.
async function refusePrivateTarget(url: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return
  let host: string
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  } catch {
    throw apiError('invalid_url', `The setup URL "${url}" is not an absolute URL.`)
  }
  const addresses = isIP(host)
    ? [host]
    : (await dns.lookup(host, { all: true })).map((a) => a.address)
  if (addresses.some(isPrivateAddress))
    throw apiError(
      'invalid_url',
      `The setup URL resolves to a private address (${host}); set SWITCHYARD_ALLOW_PRIVATE_TARGETS to allow it.`,
    )
}

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

function providerRefused(step: string, answer: { status: number; text: string }) {
  return apiError(
    'subscription_failed',
    `The provider answered the ${step} request with ${answer.status}.`,
    {
      status: answer.status,
      body: answer.text.slice(0, 1000),
    },
  )
}
