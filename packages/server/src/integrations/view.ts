import type { Db } from '../store/index.ts'
import { maskToken } from '../users/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { tokenContext } from './integrations.ts'
import { readTokens, type IntegrationRow } from './store.ts'

/** The API view of an integration: each token by name, masked, with when it last changed. */
export async function integrationOut(
  deps: { db: Db; box: SecretBox },
  row: IntegrationRow,
): Promise<IntegrationOut> {
  const sealed = await readTokens(deps.db.kysely, row.project_id, row.type)
  const tokens = await Promise.all(
    sealed.map(async (t) => ({
      name: t.name,
      value: maskToken(await deps.box.open(t.value_ciphertext, tokenContext(ids(row), t.name))),
      updatedAt: t.updated_at.toISOString(),
    })),
  )
  return {
    type: row.type,
    name: row.name,
    baseUrl: row.base_url,
    tokens,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

export interface IntegrationOut {
  type: string
  name: string
  baseUrl: string | null
  tokens: { name: string; value: string; updatedAt: string }[]
  createdAt: string
  updatedAt: string
}

const ids = (row: IntegrationRow) => ({ projectId: row.project_id, type: row.type })
