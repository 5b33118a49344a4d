import type { ErrorDetail } from '../errors.ts'
import type { TokenUse } from '../integrations/index.ts'
import type { Db } from '../store/index.ts'
import { listIntegrationTriggers } from './store.ts'
import { renderTemplate, templatePaths } from './template.ts'
import type { ResponseConfig, SetupConfig, TriggerRow, VerificationConfig } from './types.ts'

/** A developer token a trigger names, and where (a JSON Pointer into the definition). */
export interface TokenRef {
  token: string
  path: string
}

type Definition = {
  setup: SetupConfig
  response: ResponseConfig | null
  verification: VerificationConfig | null
}

/**
 * Every developer token a trigger definition names: `{{integration.tokens.<name>}}` in setup
 * requests and handshake options, `{"from": "integration", "key"}` in handshake options and
 * verification secrets.
 * @example integrationTokenRefs(fields) // [{ token: 'clientSecret', path: '/setup/subscribe/headers/authorization' }]
 */
export function integrationTokenRefs(t: Definition): TokenRef[] {
  const refs: TokenRef[] = []
  for (const step of ['subscribe', 'unsubscribe'] as const)
    refs.push(...templateRefs(t.setup[step], `/setup/${step}`))
  for (const [key, value] of Object.entries(t.response?.options ?? {})) {
    const path = `/response/${key}`
    if (isIntegrationRef(value)) refs.push({ token: value.key, path })
    else refs.push(...templateRefs(value, path))
  }
  t.verification?.secrets.forEach((ref, i) => {
    if (isIntegrationRef(ref)) refs.push({ token: ref.key, path: `/verification/secrets/${i}` })
  })
  return refs
}

/** One detail per reference to a token the integration does not have (a 400 at save time). */
export function missingTokenDetails(
  refs: TokenRef[],
  known: readonly string[],
  integration: string,
): ErrorDetail[] {
  return refs
    .filter((ref) => !known.includes(ref.token))
    .map((ref) => ({
      path: ref.path,
      message: `names developer token "${ref.token}", which integration "${integration}" does not have; add it with PUT /v1/integrations/${integration}`,
      token: ref.token,
    }))
}

/** Where the project's triggers of an integration use its tokens (refuses removing those). */
export async function tokenUses(db: Db, projectId: string, type: string): Promise<TokenUse[]> {
  const triggers = await listIntegrationTriggers(db.kysely, projectId, type)
  return triggers.flatMap((t: TriggerRow) =>
    integrationTokenRefs(t).map((ref) => ({ ...ref, triggerId: t.id })),
  )
}

/**
 * Handshake options with developer tokens filled in (Meta's `verifyToken`), read only when an
 * option names one.
 */
export async function resolveOptions(
  options: Record<string, unknown>,
  tokens: () => Promise<Record<string, string>>,
): Promise<Record<string, unknown>> {
  const named = Object.values(options).some(
    (v) => isIntegrationRef(v) || templateRefs(v, '').length > 0,
  )
  if (!named) return options
  const values = await tokens()
  const vars = { integration: { tokens: values } }
  return Object.fromEntries(
    Object.entries(options).map(([k, v]) => [
      k,
      isIntegrationRef(v) ? (values[v.key] ?? null) : renderTemplate(v, vars),
    ]),
  )
}

function templateRefs(value: unknown, at: string): TokenRef[] {
  return templatePaths(value, at).flatMap(({ path, at }) => {
    const [root, group, token] = path.split('.')
    return root === 'integration' && group === 'tokens' && token ? [{ token, path: at }] : []
  })
}

function isIntegrationRef(value: unknown): value is { from: 'integration'; key: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { from?: unknown }).from === 'integration' &&
    typeof (value as { key?: unknown }).key === 'string'
  )
}
