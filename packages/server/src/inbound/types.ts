/*
 * Terms, each defined once:
 * - trigger: a URL (`/hooks/:triggerId`) a provider sends webhooks to, with how to answer its
 *   handshakes (`response`), how to check a request is genuine (`verification`) and how to find
 *   the connected user(s) it is about (`routing`). `level: 'user'` URLs carry `?id={credentialId}`.
 * - inbound request: one HTTP request to a trigger, stored raw before anything judges it.
 * - handshake: a request the provider sends to prove the URL is ours (a challenge to echo, a
 *   secret to keep); answered as the provider documents, never emitted as an event.
 * - verification: a check over the raw bytes (HMAC, signature, token) that accepts or rejects.
 * - routing: after the answer, an accepted request becomes one `trigger.received` event per
 *   matching credential; none matching leaves it `unrouted`.
 * - persisted value: something a handshake or an API setup saved (Asana's X-Hook-Secret), per
 *   trigger and credential, encrypted at rest.
 * - developer token: a secret of the project's own app at the provider (client secret, signing
 *   secret, verify token), kept on the integration (src/integrations) and named by triggers as
 *   `{{integration.tokens.<name>}}` or `{"from": "integration", "key": <name>}`.
 * - subscription: a webhook registered at the provider by API setup: per credential, or once for
 *   an app-level trigger with the developer tokens (credential id '').
 */

/** A secret as a trigger names it: literal, from the credential's or the integration's tokens, or persisted. */
export type SecretRef =
  | string
  | { from: 'credential'; key: string }
  | { from: 'persisted'; key: string }
  | { from: 'integration'; key: string }

/** A stored secret: literals are sealed at save time. */
export type StoredSecretRef = { sealed: string } | Exclude<SecretRef, string>

/** Where a value is read from in a request. `header` may list several names (first present wins). */
export interface ValueSource {
  header?: string | string[]
  query?: string
  bodyPath?: string
  /** Strip this prefix (`sha256=`). */
  prefix?: string
  /** Keep capture group 1 of every match (`v1=([0-9a-f]+)` finds each Stripe signature). */
  regex?: string
}

/** The generic HMAC scheme every HMAC preset is an instance of. */
export interface HmacScheme {
  algorithm: 'sha1' | 'sha256' | 'sha512'
  /** Signed content: `{body}`, `{timestamp}`, `{id}`, `{method}`, `{url}`, `{query.sorted}`, `{$.json.path}`, literals. */
  content: string
  signature: ValueSource
  encoding: 'hex' | 'base64' | 'base64url'
  keyEncoding: 'utf8' | 'base64' | 'hex' | 'whsec'
  timestamp?: ValueSource & {
    unit: 's' | 'ms' | 'rfc3339'
    /** Absent: the timestamp is signed but its age is not checked. */
    toleranceSeconds?: number
    /** `past`: only too old is refused (Stripe, Slack); `both`: the future too (Standard Webhooks, Box). */
    direction?: 'past' | 'both'
  }
  id?: ValueSource
}

export type VerificationConfig =
  | ({ preset: 'hmac'; secrets: StoredSecretRef[] } & HmacScheme)
  | { preset: string; secrets: StoredSecretRef[]; options: Record<string, unknown> }
  | { code: string; secrets: StoredSecretRef[] }

/** `response`: a handshake preset (with options), a static answer, or custom code. */
export interface ResponseConfig {
  preset?: string
  options?: Record<string, unknown>
  code?: string
  status?: number
  headers?: Record<string, string>
  body?: unknown
}

export type RoutingSource = {
  from: 'body' | 'header' | 'query'
  path: string
}

export type RoutingConfig = RoutingSource & {
  /** Tried in order when `path` finds nothing (Slack: `authorizations[0].user_id`, then `team_id`). */
  fallbacks?: RoutingSource[]
  /** Splits an array payload (HubSpot, Xero `events`, Graph `value`) and routes each item. */
  split?: string
}

export type SetupRequest = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  headers?: Record<string, string>
  body?: unknown
  /** Values to keep from the provider's JSON answer: name → JSONPath. */
  persist?: Record<string, string>
}

export type SetupConfig = {
  mode: 'manual' | 'api'
  /** User-level: subscribe each credential of the integration the first time it is VALID. */
  autoSubscribe?: boolean
  subscribe?: SetupRequest
  unsubscribe?: SetupRequest
}

/** Names whose values are stored, shown and forwarded as `[redacted]` (headers lower-case). */
export interface RedactConfig {
  headers?: string[]
  query?: string[]
}

export interface TriggerRow {
  id: string
  project_id: string
  integration: string
  name: string
  level: 'user' | 'app'
  setup: SetupConfig
  response: ResponseConfig | null
  verification: VerificationConfig | null
  routing: RoutingConfig | null
  body_limit_bytes: number
  /** `hold`: requests routed to an INVALID credential wait until it is VALID again. */
  invalid_credentials: 'deliver' | 'hold'
  /** More header and query parameter names to redact than the verification reads (redaction.ts). */
  redact: RedactConfig | null
  created_at: Date
  updated_at: Date
}

/** A request as handshakes, verifiers and custom code see it. */
export interface RequestView {
  method: string
  /** The URL the provider called: the public URL, path and query as sent. */
  url: string
  path: string
  queryString: string
  query: Record<string, string>
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>
  body: Buffer
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: () => unknown
  /** The body parsed as a form (`application/x-www-form-urlencoded`). */
  form: () => URLSearchParams
}

/** How a request to /hooks is answered. */
export interface HookResponse {
  status: number
  headers: Record<string, string>
  body: string | Buffer
}

export type VerifyResult = { ok: true } | { ok: false; reason: string }

/**
 * What became of a request to /hooks; one exhaustive switch (receive.ts) maps each to its answer.
 */
export type InboundOutcome =
  | { kind: 'handshake'; response: HookResponse; persist: Record<string, string> } // the preset's status (200; Meta's token mismatch 403)
  | {
      kind: 'refused' // a handshake not answered: 409 handshake_not_expected, 400 invalid_handshake
      code: 'handshake_not_expected' | 'invalid_handshake'
      message: string
      reason: string
    }
  | { kind: 'accepted'; response: HookResponse } // 200 or the trigger's static response; routed after the answer
  | { kind: 'rejected'; reason: string } // 401 verification_failed
  | { kind: 'unknown_credential'; credentialId: string | null } // 404 not_found
  | { kind: 'too_large'; size: number; limit: number } // 413 payload_too_large
  | { kind: 'error'; reason: string; internal?: true } // 500 custom_code_failed (internal_error when ours)
  | { kind: 'busy'; reason: string; retryAfterSeconds: number } // 503 sandbox_busy: the project's custom-code queue is full
