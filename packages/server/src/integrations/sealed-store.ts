import { query, sql } from '../store/index.ts'
import type { SealedTable } from '../secrets/index.ts'
import { tokenContext } from './integrations.ts'

interface SealedIntegrationToken {
  project_id: string
  integration: string
  name: string
  value_ciphertext: string
}

/** Integrations' developer tokens, one sealed value per row. */
export const sealedIntegrationTokens: SealedTable<SealedIntegrationToken> = {
  name: 'integration tokens',
  count: async (q) => {
    const rows = await query<{ n: number }>(
      q,
      sql`select count(*)::int as n from integration_tokens`,
    )
    return rows[0]?.n ?? 0
  },
  page: (q, after, limit) =>
    query<SealedIntegrationToken>(
      q,
      sql`
      select project_id, integration, name, value_ciphertext from integration_tokens
      where ${after === null}::boolean
         or (project_id, integration, name) >
            (${after?.project_id ?? null}::uuid, ${after?.integration ?? null}::text, ${after?.name ?? null}::text)
      order by project_id, integration, name limit ${limit} for update`,
    ),
  values: (row) => [
    {
      context: tokenContext({ projectId: row.project_id, type: row.integration }, row.name),
      value: row.value_ciphertext,
    },
  ],
  write: async (q, row, [value]) => {
    await query(
      q,
      sql`update integration_tokens set value_ciphertext = ${value}
          where project_id = ${row.project_id} and integration = ${row.integration}
            and name = ${row.name}`,
    )
  },
}
