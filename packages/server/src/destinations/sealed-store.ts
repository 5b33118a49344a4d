import type { StoredBroker } from '../brokers/index.ts'
import { query, sql } from '../store/index.ts'
import type { SealedTable, SealedValue } from '../secrets/index.ts'
import { shownUrl } from './schemas.ts'
import { destinationContexts } from './sealed-secrets.ts'
import { presets, type PresetName, type StoredPreset } from './templates/index.ts'

interface SealedDestination {
  id: string
  url: string | null
  secret: string
  previous_secret: string | null
  headers: Record<string, string>
  preset: StoredPreset | null
  broker: StoredBroker | null
}

const secretOptions = (preset: StoredPreset | null): string[] => {
  const options = preset ? (presets[preset.preset as PresetName]?.options ?? {}) : {}
  return Object.keys(preset ?? {}).filter(
    (k) => options[k]?.secret && typeof preset![k] === 'string',
  )
}

/**
 * Destinations' signing secrets, header values and preset secrets (see sealed-secrets.ts). Rows
 * from before sealing hold plain text, which the command seals; a Slack preset's URL column then
 * keeps only the URL as reads show it.
 */
export const sealedDestinationSecrets: SealedTable<SealedDestination> = {
  name: 'destination secrets',
  count: async (q) => {
    const rows = await query<{ n: number }>(q, sql`select count(*)::int as n from destinations`)
    return rows[0]?.n ?? 0
  },
  page: (q, after, limit) =>
    query<SealedDestination>(
      q,
      sql`
      select id, url, secret, previous_secret, headers, preset, broker from destinations
      where ${after === null}::boolean or id > ${after?.id ?? null}::uuid
      order by id limit ${limit} for update`,
    ),
  values: (row) => {
    const legacy = (context: string, value: string): SealedValue => ({
      context,
      value,
      legacyPlaintext: true,
    })
    const { id } = row
    return [
      legacy(destinationContexts.secret(id), row.secret),
      ...(row.previous_secret ? [legacy(destinationContexts.secret(id), row.previous_secret)] : []),
      ...Object.entries(row.headers).map(([name, v]) =>
        legacy(destinationContexts.header(id, name), v),
      ),
      ...secretOptions(row.preset).map((o) =>
        legacy(destinationContexts.preset(id, o), row.preset![o] as string),
      ),
      ...(row.broker ? [legacy(destinationContexts.broker(id), row.broker.url)] : []),
    ]
  },
  write: async (q, row, values) => {
    let next = 0
    const secret = values[next++]!
    const previous = row.previous_secret ? values[next++]! : null
    const headers = Object.fromEntries(
      Object.keys(row.headers).map((name) => [name, values[next++]!]),
    )
    const preset = row.preset ? { ...row.preset } : null
    for (const option of secretOptions(row.preset)) preset![option] = values[next++]!
    const broker = row.broker ? { ...row.broker, url: values[next++]! } : null
    await query(
      q,
      sql`
      update destinations
      set secret = ${secret}, previous_secret = ${previous}, headers = ${JSON.stringify(headers)}::jsonb,
          preset = ${preset === null ? null : JSON.stringify(preset)}::jsonb, url = ${shownUrl(row)},
          broker = ${broker === null ? null : JSON.stringify(broker)}::jsonb
      where id = ${row.id}`,
    )
  },
}
