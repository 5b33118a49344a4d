import { apiError } from '../errors.ts'
import { withTransaction, type Db } from '../store/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import {
  findIntegration,
  readTokens,
  upsertIntegration,
  writeTokens,
  type IntegrationRow,
} from './store.ts'

export interface IntegrationDeps {
  db: Db
  box: SecretBox
  now: () => Date
  /**
   * Where each developer token of an integration is referenced (trigger templates and secrets),
   * so a token still in use is not removed. Given by the composition root: integrations do not
   * read triggers.
   */
  tokenUses?: (projectId: string, type: string) => Promise<TokenUse[]>
}

export interface TokenUse {
  token: string
  triggerId: string
  path: string
}

/** `PUT /v1/integrations/:type`: fields left out keep their value; a token set to null is removed. */
export interface IntegrationIn {
  name?: string
  baseUrl?: string | null
  tokens?: Record<string, string | null>
}

/** What setup templates see as `{{integration.*}}`, tokens decrypted. */
export interface IntegrationVars {
  type: string
  name: string
  baseUrl: string
  tokens: Record<string, string>
}

/**
 * Creates or changes an integration and rotates, adds or removes its developer tokens. Tokens are
 * sealed before the transaction (loading the key may touch the key file).
 * @example await putIntegration(deps, { projectId, type: 'slack' }, { tokens: { clientSecret: 's' } })
 * @throws conflict when a token to remove is still referenced by a trigger
 */
export async function putIntegration(
  deps: IntegrationDeps,
  ids: { projectId: string; type: string },
  input: IntegrationIn,
): Promise<{ row: IntegrationRow; created: boolean }> {
  const entries = Object.entries(input.tokens ?? {})
  refuseBlankTokens(entries)
  const remove = entries.filter(([, v]) => v === null).map(([k]) => k)
  await refuseRemovingUsed(deps, ids, remove)
  const sealed: Record<string, string> = {}
  for (const [name, value] of entries)
    if (value !== null) sealed[name] = await deps.box.seal(value, tokenContext(ids, name))
  const stored = await findIntegration(deps.db.kysely, ids.projectId, ids.type)
  const baseUrl = input.baseUrl === undefined ? (stored?.base_url ?? null) : input.baseUrl
  if (baseUrl !== null) checkBaseUrl(baseUrl)
  return withTransaction(deps.db.kysely, async (tx) => {
    const now = deps.now()
    const saved = await upsertIntegration(tx, {
      ...ids,
      name: input.name ?? stored?.name ?? ids.type,
      baseUrl,
      now,
    })
    await writeTokens(tx, { ...ids, sealed, remove, now })
    return saved
  })
}

// A blank token signs or verifies like an empty key (triggers name tokens as secrets): anyone
// could compute the HMAC. The schema refuses ""; this refuses whitespace too.
function refuseBlankTokens(entries: [string, string | null][]): void {
  const blank = entries.filter(([, v]) => v !== null && v.trim() === '')
  if (blank.length > 0)
    throw apiError(
      'validation_failed',
      undefined,
      blank.map(([name]) => ({
        path: `/tokens/${name}`,
        message: 'must not be empty or blank; send null to remove the token',
      })),
    )
}

/** The integration's developer tokens, decrypted; {} when it has none or does not exist. */
export async function integrationTokens(
  deps: { db: Db; box: SecretBox },
  projectId: string,
  type: string,
): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {}
  for (const token of await readTokens(deps.db.kysely, projectId, type))
    tokens[token.name] = await deps.box.open(
      token.value_ciphertext,
      tokenContext({ projectId, type }, token.name),
    )
  return tokens
}

/**
 * The `integration` template variables of a project's integration (empty values when the project
 * has not described it: triggers work without an integration object).
 */
export async function integrationVars(
  deps: { db: Db; box: SecretBox },
  projectId: string,
  type: string,
): Promise<IntegrationVars> {
  const row = await findIntegration(deps.db.kysely, projectId, type)
  return {
    type,
    name: row?.name ?? type,
    baseUrl: row?.base_url ?? '',
    tokens: row ? await integrationTokens(deps, projectId, type) : {},
  }
}

/** The names of the integration's developer tokens (checked when a trigger is saved). */
export async function integrationTokenNames(
  db: Db,
  projectId: string,
  type: string,
): Promise<string[]> {
  return (await readTokens(db.kysely, projectId, type)).map((t) => t.name)
}

async function refuseRemovingUsed(
  deps: IntegrationDeps,
  ids: { projectId: string; type: string },
  names: string[] | null,
): Promise<void> {
  if (!deps.tokenUses || names?.length === 0) return
  const uses = (await deps.tokenUses(ids.projectId, ids.type)).filter(
    (u) => names === null || names.includes(u.token),
  )
  if (uses.length === 0) return
  const list = [...new Set(uses.map((u) => u.token))].join(', ')
  throw apiError(
    'integration_token_in_use',
    `Triggers still use ${list}; change those triggers first (details lists them).`,
    uses.map((u) => ({ path: u.path, message: `trigger ${u.triggerId} uses token "${u.token}"` })),
  )
}

/** @throws integration_token_in_use when a trigger references any of the integration's tokens */
export async function refuseDeletingUsed(
  deps: IntegrationDeps,
  ids: { projectId: string; type: string },
): Promise<void> {
  await refuseRemovingUsed(deps, ids, null)
}

function checkBaseUrl(value: string): void {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw apiError('invalid_url', `The baseUrl "${value}" is not an absolute URL.`)
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password)
    throw apiError('invalid_url', 'The baseUrl must be an http(s) URL without credentials.')
}

/** Binds a sealed token to its project, integration and name. */
export function tokenContext(ids: { projectId: string; type: string }, name: string): string {
  return `integration-token:${ids.projectId}:${ids.type}:${name}`
}
