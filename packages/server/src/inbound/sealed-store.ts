import { query, type Queryable, sql, type RawBuilder } from '../store/index.ts'
import type { SealedTable } from '../secrets/index.ts'
import { triggerSecretContext, triggerValueContext } from './secrets.ts'
import type { StoredSecretRef, VerificationConfig } from './types.ts'

interface SealedTrigger {
  id: string
  verification: VerificationConfig
}

const sealedRefs = (v: VerificationConfig) =>
  (v.secrets as StoredSecretRef[]).filter((ref): ref is { sealed: string } => 'sealed' in ref)

/** Triggers' verification secrets given as literals: `{ "sealed": "v1.…" }` in `verification.secrets`. */
export const sealedTriggerSecrets: SealedTable<SealedTrigger> = {
  name: 'trigger secrets',
  count: (q) =>
    countOf(q, sql`select count(*)::int as n from triggers where verification is not null`),
  page: (q, after, limit) =>
    query<SealedTrigger>(
      q,
      sql`
      select id, verification from triggers
      where verification is not null and (${after === null}::boolean or id > ${after?.id ?? null}::uuid)
      order by id limit ${limit} for update`,
    ),
  values: (row) =>
    sealedRefs(row.verification).map((ref) => ({
      context: triggerSecretContext(row.id),
      value: ref.sealed,
    })),
  write: async (q, row, values) => {
    let next = 0
    const secrets = (row.verification.secrets as StoredSecretRef[]).map((ref) =>
      'sealed' in ref ? { sealed: values[next++]! } : ref,
    )
    const verification = JSON.stringify({ ...row.verification, secrets })
    await query(
      q,
      sql`update triggers set verification = ${verification}::jsonb where id = ${row.id}`,
    )
  },
}

interface SealedTriggerValue {
  trigger_id: string
  credential_id: string
  key: string
  value_ciphertext: string
}

/** Values a handshake or an API setup persisted, one sealed value per row. */
export const sealedTriggerValues: SealedTable<SealedTriggerValue> = {
  name: 'trigger values',
  count: (q) => countOf(q, sql`select count(*)::int as n from trigger_values`),
  page: (q, after, limit) =>
    query<SealedTriggerValue>(
      q,
      sql`
      select trigger_id, credential_id, key, value_ciphertext from trigger_values
      where ${after === null}::boolean
         or (trigger_id, credential_id, key) >
            (${after?.trigger_id ?? null}::uuid, ${after?.credential_id ?? null}::text, ${after?.key ?? null}::text)
      order by trigger_id, credential_id, key limit ${limit} for update`,
    ),
  values: (row) => [
    {
      context: triggerValueContext(row.trigger_id, row.credential_id, row.key),
      value: row.value_ciphertext,
    },
  ],
  write: async (q, row, [value]) => {
    await query(
      q,
      sql`update trigger_values set value_ciphertext = ${value}
          where trigger_id = ${row.trigger_id} and credential_id = ${row.credential_id}
            and key = ${row.key}`,
    )
  },
}

async function countOf(q: Queryable, statement: RawBuilder<unknown>): Promise<number> {
  const rows = await query<{ n: number }>(q, statement)
  return rows[0]?.n ?? 0
}
