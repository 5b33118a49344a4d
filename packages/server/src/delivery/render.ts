import {
  formatsCarrying,
  type CanonicalType,
  type CatalogEvent,
  type WireFormat,
} from '../catalog/index.ts'
import type { EventRow } from '../events/index.ts'
import type { CredentialRow, UserRow } from '../users/index.ts'

/**
 * The catalog's view of a stored event. Connected-user and credential details are not known
 * to this feature yet; renderers default what is absent.
 */
export function catalogEventOf(
  event: EventRow,
  project: { id: string; name: string },
  known: { credential?: CredentialRow | null; user?: UserRow | null } = {},
): CatalogEvent {
  // DESIGN: integration, userId and the workspace `state` come from the credential when the
  // event names one and leaves them out.
  const { credential, user } = known
  const integration = event.integration ?? credential?.integration ?? null
  return {
    id: event.id,
    type: event.type as CanonicalType,
    occurredAt: event.occurred_at,
    data: event.data,
    project,
    userId: event.user_id ?? credential?.user_id ?? null,
    userMetadata: user?.metadata ?? null,
    credentialId: event.credential_id,
    integration: integration ? { type: integration } : null,
    state: (credential?.external_state ?? null) as string | null,
  }
}

/**
 * The wire formats that have a name for this type. The fan-out pairs every event with them,
 * so a destination only gets events its format can render.
 * @example renderableFormats('workflow.failed') // ['monitoring', 'standard']
 */
export function renderableFormats(type: string): WireFormat[] {
  return formatsCarrying(type as CanonicalType)
}
