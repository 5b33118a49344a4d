import { handshakeWindowSchema } from './handshakes/window-view.ts'
import type { InboundRequestRow } from './store.ts'

const name = { type: 'string', minLength: 1, maxLength: 200 } as const
const stringMap = {
  type: 'object',
  additionalProperties: { type: 'string', maxLength: 4000 },
  maxProperties: 50,
} as const

const secretRef = {
  anyOf: [
    { type: 'string', minLength: 1, maxLength: 2000 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'key'],
      properties: {
        from: { type: 'string', enum: ['credential', 'persisted', 'integration'] },
        key: name,
      },
    },
  ],
} as const

const setupRequest = {
  type: 'object',
  additionalProperties: false,
  required: ['method', 'url'],
  properties: {
    method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
    url: { type: 'string', minLength: 1, maxLength: 2000 },
    headers: stringMap,
    body: {},
    persist: { ...stringMap, description: 'Values to keep from the JSON answer: name → JSONPath.' },
  },
} as const

/** A setup request as the API shows it back (the input's limits are not repeated). */
const setupRequestOut = {
  type: 'object',
  additionalProperties: true,
  required: ['method', 'url'],
  properties: {
    method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
    url: { type: 'string' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    body: {},
    persist: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const

const routingSource = {
  from: { type: 'string', enum: ['body', 'header', 'query'] },
  path: { type: 'string', minLength: 1, maxLength: 500 },
} as const

/** Header and query names whose values the log and events show as [redacted] (redaction.ts). */
const redactSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  description:
    'Headers and query parameters to store, show and forward as [redacted], beyond those the verification reads.',
  properties: {
    headers: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
      },
    },
    query: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 200 } },
  },
} as const

/** The definition fields shared by create (all required ones) and patch (all optional). */
export const triggerProperties = {
  integration: { type: 'string', minLength: 1, maxLength: 100 },
  name,
  level: { type: 'string', enum: ['user', 'app'] },
  setup: {
    type: 'object',
    additionalProperties: false,
    required: ['mode'],
    properties: {
      mode: { type: 'string', enum: ['manual', 'api'] },
      autoSubscribe: {
        type: 'boolean',
        description:
          'User-level API setup: subscribe each credential of the integration the first time it is VALID.',
      },
      subscribe: setupRequest,
      unsubscribe: setupRequest,
    },
  },
  response: {
    description:
      'A handshake preset name; {preset, …options}; a static {status, headers, body}; or {code}. Headers: content-type (JSON, XML or plain text), cache-control, retry-after, x-content-type-options, x-hook-secret, smartsheet-hook-response.',
    anyOf: [
      { type: 'string', minLength: 1, maxLength: 100 },
      { type: 'null' },
      {
        type: 'object',
        properties: {
          preset: { type: 'string', maxLength: 100 },
          code: { type: 'string', minLength: 1, maxLength: 65536 },
          status: {
            type: 'integer',
            minimum: 100,
            maximum: 599,
            description: '2xx or 4xx: /hooks answers no redirects, 1xx or 5xx.',
          },
          headers: stringMap,
          body: {},
        },
      },
    ],
  },
  verification: {
    description:
      'A preset with secrets (and its options), the generic {preset: "hmac", …}, or {code}.',
    type: ['object', 'null'],
    properties: {
      preset: { type: 'string', maxLength: 100 },
      code: { type: 'string', minLength: 1, maxLength: 65536 },
      secrets: { type: 'array', maxItems: 10, items: secretRef },
    },
  },
  routing: {
    type: ['object', 'null'],
    additionalProperties: false,
    required: ['from', 'path'],
    properties: {
      ...routingSource,
      fallbacks: {
        type: 'array',
        maxItems: 10,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'path'],
          properties: routingSource,
        },
      },
      split: { type: 'string', minLength: 1, maxLength: 500 },
    },
  },
  bodyLimitBytes: { type: 'integer', minimum: 1, maximum: 10 * 1024 * 1024 },
  invalidCredentials: {
    type: 'string',
    enum: ['deliver', 'hold'],
    description:
      'Requests routed to an INVALID credential: delivered (default) or held until it is VALID again.',
  },
  redact: redactSchema,
} as const

export const triggerInSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['integration', 'name', 'level'],
  properties: triggerProperties,
} as const

export const triggerPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: triggerProperties,
} as const

export const triggerOutSchema = {
  type: 'object',
  required: ['id', 'integration', 'name', 'level', 'url', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    integration: { type: 'string' },
    name: { type: 'string' },
    level: { type: 'string', enum: ['user', 'app'] },
    url: {
      type: 'string',
      description: 'Where the provider sends; user-level URLs add ?id={credentialId}.',
    },
    // The definition as created (secrets masked), with its fields named; extra fields still pass.
    setup: {
      type: 'object',
      additionalProperties: true,
      required: ['mode'],
      properties: {
        mode: { type: 'string', enum: ['manual', 'api'] },
        autoSubscribe: { type: 'boolean' },
        subscribe: setupRequestOut,
        unsubscribe: setupRequestOut,
      },
    },
    response: {
      type: ['object', 'null'],
      additionalProperties: true,
      properties: {
        preset: { type: 'string' },
        code: { type: 'string' },
        status: { type: 'integer' },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        body: {},
      },
    },
    verification: {
      type: ['object', 'null'],
      additionalProperties: true,
      properties: {
        preset: { type: 'string' },
        code: { type: 'string' },
        secrets: { type: 'array', items: secretRef },
      },
    },
    routing: {
      type: ['object', 'null'],
      additionalProperties: true,
      required: ['from', 'path'],
      properties: {
        ...routingSource,
        fallbacks: {
          type: 'array',
          items: { type: 'object', required: ['from', 'path'], properties: routingSource },
        },
        split: { type: 'string' },
      },
    },
    bodyLimitBytes: { type: 'integer' },
    invalidCredentials: { type: 'string', enum: ['deliver', 'hold'] },
    handshakeWindows: {
      type: 'array',
      items: handshakeWindowSchema,
      description:
        'Open windows in which a handshake may replace the value the trigger keeps (POST /v1/triggers/:id/expect-handshake, or an API setup in flight).',
    },
    redact: redactSchema,
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const

export const inboundRequestOutSchema = {
  type: 'object',
  required: ['id', 'triggerId', 'method', 'outcome', 'receivedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    triggerId: { type: 'string', format: 'uuid' },
    credentialId: { type: ['string', 'null'] },
    method: { type: 'string' },
    path: { type: 'string' },
    query: { type: 'string' },
    headers: { type: 'object', additionalProperties: true },
    body: {
      type: 'string',
      description:
        'The body as UTF-8 text (first 64 KiB; requests that were not accepted keep their first 4 KiB).',
    },
    bodySize: { type: 'integer', description: 'The size of the body as received.' },
    bodyTruncated: { type: 'boolean', description: '`body` is shorter than the body received.' },
    outcome: {
      type: 'string',
      enum: [
        'received',
        'handshake',
        'rejected',
        'error',
        'accepted',
        'routed',
        'unrouted',
        'held',
        'failed',
      ],
    },
    reason: {
      type: ['string', 'null'],
      description: 'Why it was rejected, or why routing failed (outcome failed, or a try retried).',
    },
    routingAttempts: {
      type: 'integer',
      description: 'Failed routing tries; at the limit (5) the request ends failed.',
    },
    responseStatus: { type: ['integer', 'null'] },
    eventIds: { type: 'array', items: { type: 'string' } },
    credentialIds: { type: 'array', items: { type: 'string' } },
    heldCredentialIds: {
      type: 'array',
      items: { type: 'string' },
      description: 'INVALID credentials the request waits for (outcome held).',
    },
    receivedAt: { type: 'string', format: 'date-time' },
    processedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const

const bodyShown = 64 * 1024

export function inboundRequestOut(row: InboundRequestRow) {
  const body = Buffer.from(row.body)
  const shown = body.subarray(0, bodyShown)
  const size = row.body_size ?? body.length
  return {
    id: row.id,
    triggerId: row.trigger_id,
    credentialId: row.credential_id,
    method: row.method,
    path: row.path,
    query: row.query_string,
    headers: row.headers,
    body: shown.toString('utf8'),
    bodySize: size,
    bodyTruncated: shown.length < size,
    outcome: row.outcome,
    reason: row.reason,
    responseStatus: row.response_status,
    routingAttempts: row.routing_attempts,
    eventIds: row.event_ids ?? [],
    credentialIds: row.routed_credential_ids ?? [],
    heldCredentialIds: row.held_credential_ids ?? [],
    receivedAt: row.received_at.toISOString(),
    processedAt: row.processed_at?.toISOString() ?? null,
  }
}

/** One preset of `GET /v1/trigger-presets` (presets.ts `describePresets`). */
const triggerPresetOutSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['name', 'description', 'fields'],
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    fields: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Each option the preset takes, with what it means.',
    },
    answeredAfterVerification: {
      type: 'boolean',
      description: 'Handshakes: the answer is sent only to a request that passed verification.',
    },
    keeps: {
      type: 'array',
      items: { type: 'string' },
      description: 'Handshakes: the values a handshake keeps (only within a window).',
    },
  },
} as const

/** `GET /v1/trigger-presets`: the handshake (`response`) and verification presets. */
export const triggerPresetsOutSchema = {
  type: 'object',
  required: ['response', 'verification'],
  properties: {
    response: { type: 'array', items: triggerPresetOutSchema },
    verification: { type: 'array', items: triggerPresetOutSchema },
  },
} as const
