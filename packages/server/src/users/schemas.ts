import type { CredentialRow, UserRow } from './store.ts'

/** Ids the caller chooses (their user ids, credential ids): printable, no spaces or slashes. */
export const callerIdSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  pattern: '^[^\\s/?#]+$',
} as const

const statusSchema = { type: 'string', enum: ['VALID', 'INVALID', 'PENDING'] } as const
const metadataSchema = { type: 'object', maxProperties: 100 } as const

export const userInSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { metadata: metadataSchema },
} as const

export const credentialInSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    userId: callerIdSchema,
    integration: { type: 'string', minLength: 1, maxLength: 100 },
    providerAccountId: { type: ['string', 'null'], minLength: 1, maxLength: 500 },
    status: statusSchema,
    error: { type: ['string', 'null'], minLength: 1, maxLength: 2000 },
    externalState: { description: 'Shown as `state` in the workspace format.' },
    metadata: metadataSchema,
    tokens: {
      type: ['object', 'null'],
      maxProperties: 50,
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
      description: 'accessToken, refreshToken, webhookSecret…; encrypted at rest, never read back.',
    },
  },
} as const

export const userOutSchema = {
  type: 'object',
  required: ['id', 'metadata', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    metadata: { type: 'object', additionalProperties: true },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const

export const credentialOutSchema = {
  type: 'object',
  required: ['id', 'userId', 'integration', 'status', 'metadata', 'tokens', 'createdAt'],
  properties: {
    id: { type: 'string' },
    userId: { type: 'string' },
    integration: { type: 'string' },
    providerAccountId: { type: ['string', 'null'] },
    status: statusSchema,
    error: { type: ['string', 'null'] },
    externalState: {},
    metadata: { type: 'object', additionalProperties: true },
    tokens: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Each token masked to its last four characters.',
    },
    installedAt: { type: ['string', 'null'], format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const

export function userOut(row: UserRow) {
  return {
    id: row.id,
    metadata: row.metadata,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

/** The API view of a credential; `tokens` are the decrypted tokens, shown masked. */
export function credentialOut(row: CredentialRow, tokens: Record<string, unknown>) {
  return {
    id: row.id,
    userId: row.user_id,
    integration: row.integration,
    providerAccountId: row.provider_account_id,
    status: row.status,
    error: row.error,
    externalState: row.external_state ?? null,
    metadata: row.metadata,
    tokens: Object.fromEntries(Object.entries(tokens).map(([k, v]) => [k, maskToken(v)])),
    installedAt: row.installed_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

/**
 * Enough to tell two tokens apart, never enough to use one: short values are hidden whole.
 * @example maskToken('xoxb-123456789-abcd') // '…abcd'
 */
export function maskToken(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value)
  return text.length >= 16 ? `…${text.slice(-4)}` : '…'
}
