import type { SecretBox } from '../secrets/index.ts'
import { handshakeWindowOut } from './handshakes/window-view.ts'
import type { HandshakeWindowRow } from './handshakes/window-store.ts'
import { maskSecret } from './mask.ts'
import type { TriggerIn } from './definition.ts'
import { triggerSecretContext } from './secrets.ts'
import type { StoredSecretRef, TriggerRow, VerificationConfig } from './types.ts'

/**
 * The trigger's URL. User-level triggers are given one URL per credential: this one with
 * `?id={credentialId}` added.
 * @example triggerUrl('https://hooks.example.com', id) // 'https://hooks.example.com/hooks/<id>'
 */
export function triggerUrl(publicUrl: string, id: string): string {
  return `${publicUrl}/hooks/${id}`
}

/**
 * The API view: literal secrets masked to their last four characters; `windows` are the open
 * handshake windows (expect-handshake, an API setup in flight) of this trigger.
 */
export async function triggerOut(
  row: TriggerRow,
  deps: { box: SecretBox; publicUrl: string },
  windows: readonly HandshakeWindowRow[] = [],
) {
  return {
    id: row.id,
    integration: row.integration,
    name: row.name,
    level: row.level,
    url: triggerUrl(deps.publicUrl, row.id) + (row.level === 'user' ? '?id={credentialId}' : ''),
    setup: row.setup,
    response: row.response ? flatten(row.response) : null,
    verification: row.verification
      ? await maskedVerification(row, row.verification, deps.box)
      : null,
    routing: row.routing,
    bodyLimitBytes: row.body_limit_bytes,
    invalidCredentials: row.invalid_credentials,
    handshakeWindows: windows.filter((w) => w.trigger_id === row.id).map(handshakeWindowOut),
    redact: row.redact,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

async function maskedVerification(row: TriggerRow, v: VerificationConfig, box: SecretBox) {
  const secrets = await Promise.all(
    v.secrets.map(async (ref) =>
      'sealed' in ref ? maskSecret(await box.open(ref.sealed, triggerSecretContext(row.id))) : ref,
    ),
  )
  return { ...flatten(v), secrets }
}

/** The stored definition in the shape the API takes, so PATCH can merge over it. */
export function inputOf(row: TriggerRow): TriggerIn {
  return {
    integration: row.integration,
    name: row.name,
    level: row.level,
    setup: row.setup,
    response: row.response ? flatten(row.response) : null,
    verification: row.verification
      ? (flatten(row.verification) as TriggerIn['verification'] & { secrets: StoredSecretRef[] })
      : null,
    routing: row.routing,
    bodyLimitBytes: row.body_limit_bytes,
    invalidCredentials: row.invalid_credentials,
    redact: row.redact,
  }
}

/** Options are stored apart from the fixed fields and shown beside them, as they were given. */
function flatten(config: object): Record<string, unknown> {
  const { options, ...rest } = config as { options?: Record<string, unknown> }
  return { ...rest, ...options }
}
