import type { HandshakeWindowRow } from './window-store.ts'

/** A handshake window as the API shows it (on the trigger, and from expect-handshake). */
export const handshakeWindowSchema = {
  type: 'object',
  required: ['credentialId', 'kind', 'openedAt', 'expiresAt'],
  properties: {
    credentialId: {
      type: ['string', 'null'],
      description: 'null: the whole trigger (an app-level trigger, whose URL has no ?id=).',
    },
    kind: {
      type: 'string',
      enum: ['setup', 'api'],
      description: 'setup: an API setup is calling the provider; api: opened by expect-handshake.',
    },
    openedAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
} as const

/** The API view of a window. */
export function handshakeWindowOut(row: HandshakeWindowRow) {
  return {
    credentialId: row.credential_id === '' ? null : row.credential_id,
    kind: row.kind,
    openedAt: row.opened_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  }
}
