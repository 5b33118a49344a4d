/** An integration's key as triggers and credentials name it, safe in a URL path. */
export const integrationTypeSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
} as const

/** Token names are identifiers, so `{{integration.tokens.<name>}}` can name every one. */
export const tokenNamePattern = '^[A-Za-z_][A-Za-z0-9_]*$'

export const integrationParams = {
  type: 'object',
  required: ['type'],
  properties: { type: integrationTypeSchema },
} as const

export const integrationInSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, description: 'Display name.' },
    baseUrl: {
      type: ['string', 'null'],
      minLength: 1,
      maxLength: 2000,
      description: "The provider's API base URL; setup request URLs starting with / are under it.",
    },
    tokens: {
      type: 'object',
      maxProperties: 50,
      propertyNames: { type: 'string', maxLength: 100, pattern: tokenNamePattern },
      additionalProperties: { type: ['string', 'null'], minLength: 1, maxLength: 8000 },
      description:
        'Developer tokens by name (clientId, clientSecret, signingSecret, verifyToken…); encrypted at rest, shown masked. Names left out keep their value; null removes one.',
    },
  },
} as const

export const integrationOutSchema = {
  type: 'object',
  required: ['type', 'name', 'baseUrl', 'tokens', 'createdAt', 'updatedAt'],
  properties: {
    type: { type: 'string' },
    name: { type: 'string' },
    baseUrl: { type: ['string', 'null'] },
    tokens: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'value', 'updatedAt'],
        properties: {
          name: { type: 'string' },
          value: { type: 'string', description: 'Masked to its last four characters.' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const
