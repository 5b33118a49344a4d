import { query, sql } from '../store/index.ts'
import { credentialTokenContext } from './credentials.ts'
import type { SealedTable } from '../secrets/index.ts'

interface SealedCredential {
  project_id: string
  id: string
  tokens_ciphertext: string
}

/** Credentials' tokens: one sealed JSON object per credential. */
export const sealedCredentialTokens: SealedTable<SealedCredential> = {
  name: 'credential tokens',
  count: async (q) => {
    const rows = await query<{ n: number }>(
      q,
      sql`select count(*)::int as n from credentials where tokens_ciphertext is not null`,
    )
    return rows[0]?.n ?? 0
  },
  page: (q, after, limit) =>
    query<SealedCredential>(
      q,
      sql`
      select project_id, id, tokens_ciphertext from credentials
      where tokens_ciphertext is not null
        and (${after === null}::boolean
             or (project_id, id) > (${after?.project_id ?? null}::uuid, ${after?.id ?? null}::text))
      order by project_id, id limit ${limit} for update`,
    ),
  values: (row) => [
    {
      context: credentialTokenContext({ projectId: row.project_id, id: row.id }),
      value: row.tokens_ciphertext,
    },
  ],
  write: async (q, row, [value]) => {
    await query(
      q,
      sql`update credentials set tokens_ciphertext = ${value}
          where project_id = ${row.project_id} and id = ${row.id}`,
    )
  },
}
