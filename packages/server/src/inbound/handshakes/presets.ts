import { createHmac } from 'node:crypto'
import type { HookResponse, RequestView } from '../types.ts'
import { safeEqual } from '../verifiers/hmac.ts'

/** A handshake's answer, and values to keep (Asana's secret, Notion's token). */
export interface HandshakeAnswer extends HookResponse {
  persist: Record<string, string>
}

/**
 * A handshake the preset recognises but will not answer (a challenge that could make it a signing
 * oracle, no secret to answer with): a 400 `invalid_handshake`; `refuse` is shown and logged.
 */
export interface HandshakeRefusal {
  refuse: string
}

export interface HandshakeContext {
  options: Record<string, unknown>
  /** The first secret of the trigger's verification (Zoom and X answer with an HMAC of it). */
  secret: () => Promise<string | null>
}

export interface HandshakePreset {
  doc: string
  /**
   * Signed handshakes are answered only after verification passes: Zoom's answer is an HMAC
   * with the secret, so answering unverified requests would sign attacker-chosen text.
   */
  signed: boolean
  options?: Record<string, string>
  /** The answer is an HMAC with the verification's first secret (Zoom, X): a trigger needs one. */
  needsSecret?: boolean
  /** What the handshake persists: values that later verify events (keep-values.ts guards them). */
  persists?: readonly string[]
  detect(
    view: RequestView,
    ctx: HandshakeContext,
  ): Promise<HandshakeAnswer | HandshakeRefusal | null> | HandshakeAnswer | HandshakeRefusal | null
}

const text = (body: string, extra: Record<string, string> = {}, status = 200): HandshakeAnswer => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...extra },
  body,
  persist: {},
})
const json = (body: unknown, extra: Record<string, string> = {}): HandshakeAnswer => ({
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8', ...extra },
  body: JSON.stringify(body),
  persist: {},
})
const field = (view: RequestView, name: string): unknown => {
  const body = view.json()
  return body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined
}
const none = { doc: '', signed: false, detect: () => null }

/*
 * X's CRC and Zoom's url_validation are answered with HMAC-SHA256(secret, token), and the secret
 * is the one that signs events: X signs a POST body B as exactly HMAC(consumer secret, B), so
 * answering `GET ?crc_token=<a forged event>` would hand out that event's signature (a signing
 * oracle). Real tokens are short random strings: X's look like "uzwcfYtzr9" (Convoy's test), a
 * UUID ("9b4507b3-9040-4669-9ca3-6b94edb50553", X's sample code) or base64 of a UUID (48
 * characters, in 2026 request logs); Zoom's plainToken is 22 characters of base64url. So a token
 * is 1 to 128 characters of base64, base64url and UUID text, which no JSON body (`{`, `"`,
 * whitespace) can be. The rest of the oracle is closed on the other side: a trigger answering X's
 * CRC refuses any event body that could be a token (see `x` below), and Zoom signs
 * "v0:{timestamp}:{body}", which has colons no token has.
 */
const challengeToken = /^[A-Za-z0-9+/=_-]{1,128}$/
const tokenRefusal = (what: string): HandshakeRefusal => ({
  refuse: `${what} must be 1 to 128 characters of letters, digits and + / = _ -`,
})
const noSecret = (what: string): HandshakeRefusal => ({
  refuse: `this trigger has no secret to answer ${what} with; set its verification secret`,
})
const hmacAnswer = (secret: string, token: string, encoding: 'hex' | 'base64') =>
  createHmac('sha256', secret).update(token).digest(encoding)

/** Handshake presets, each as the provider documents it (shared/reference/inbound-anchors.md §4). */
export const handshakePresets: Record<string, HandshakePreset> = {
  slack: {
    doc: 'url_verification: answers the challenge as text (signed like any event)',
    signed: true,
    detect: (view) => {
      const challenge = field(view, 'challenge')
      return field(view, 'type') === 'url_verification' && typeof challenge === 'string'
        ? text(challenge)
        : null
    },
  },
  'microsoft-graph': {
    doc: '?validationToken=… on subscription create/renew: the decoded token as text/plain within 10 s',
    signed: false,
    detect: (view) => {
      const token = view.query['validationToken']
      return token === undefined ? null : text(token)
    },
  },
  zoom: {
    doc: 'endpoint.url_validation: {plainToken, encryptedToken: hex HMAC-SHA256(secret, plainToken)}',
    signed: true,
    needsSecret: true,
    detect: async (view, ctx) => {
      const plainToken = (field(view, 'payload') as { plainToken?: unknown } | undefined)
        ?.plainToken
      if (field(view, 'event') !== 'endpoint.url_validation' || typeof plainToken !== 'string')
        return null
      if (!challengeToken.test(plainToken)) return tokenRefusal('plainToken')
      const secret = await ctx.secret()
      if (!secret) return noSecret('endpoint.url_validation')
      return json({ plainToken, encryptedToken: hmacAnswer(secret, plainToken, 'hex') })
    },
  },
  x: {
    // Events arrive by POST, so only GET is answered; see challengeToken for why a token is
    // bounded, and why a body that could be a token is refused.
    doc: 'CRC: GET ?crc_token=… → {"response_token": "sha256=<base64 HMAC(consumer secret, token)>"}',
    signed: false,
    needsSecret: true,
    detect: async (view, ctx) => {
      if (view.method !== 'GET')
        return challengeToken.test(view.body.toString('latin1'))
          ? { refuse: 'a body that could be a CRC token is never accepted: X events are JSON' }
          : null
      const token = view.query['crc_token']
      if (token === undefined) return null
      if (!challengeToken.test(token)) return tokenRefusal('crc_token')
      const secret = await ctx.secret()
      if (!secret) return noSecret('the CRC')
      return json({ response_token: `sha256=${hmacAnswer(secret, token, 'base64')}` })
    },
  },
  dropbox: {
    doc: 'GET ?challenge=… echoed as text/plain with X-Content-Type-Options: nosniff',
    signed: false,
    detect: (view) => {
      const challenge = view.query['challenge']
      return view.method !== 'GET' || challenge === undefined
        ? null
        : text(challenge, { 'x-content-type-options': 'nosniff' })
    },
  },
  meta: {
    doc: 'GET ?hub.mode=subscribe&hub.challenge&hub.verify_token: the challenge if the token matches, else 403',
    signed: false,
    options: { verifyToken: 'The Verify Token entered in the Meta app dashboard.' },
    detect: (view, ctx) => {
      if (view.method !== 'GET' || view.query['hub.mode'] !== 'subscribe') return null
      const expected = ctx.options['verifyToken']
      // An empty verify token would match a request that sends none.
      const given = view.query['hub.verify_token'] ?? ''
      if (typeof expected !== 'string' || expected.trim() === '' || !safeEqual(given, expected))
        return text('verify token mismatch', {}, 403)
      return text(view.query['hub.challenge'] ?? '')
    },
  },
  asana: {
    doc: 'X-Hook-Secret echoed and persisted as hookSecret (it signs later events): only when none is set or a handshake is expected',
    signed: false,
    persists: ['hookSecret'],
    detect: (view) => {
      const secret = view.headers['x-hook-secret']
      if (secret === undefined) return null
      return {
        ...text(''),
        status: 200,
        headers: { 'x-hook-secret': secret },
        persist: { hookSecret: secret },
      }
    },
  },
  monday: {
    doc: '{"challenge": …} answered with the same JSON',
    signed: false,
    detect: (view) => {
      const challenge = field(view, 'challenge')
      return typeof challenge === 'string' && field(view, 'event') === undefined
        ? json({ challenge })
        : null
    },
  },
  notion: {
    doc: '{"verification_token": …}: 200, persisted as verificationToken (it signs later events): only when none is set or a handshake is expected',
    signed: false,
    persists: ['verificationToken'],
    detect: (view) => {
      const token = field(view, 'verification_token')
      return typeof token === 'string'
        ? { ...text(''), persist: { verificationToken: token } }
        : null
    },
  },
  okta: {
    doc: 'GET with X-Okta-Verification-Challenge → {"verification": …}',
    signed: false,
    detect: (view) => {
      const challenge = view.headers['x-okta-verification-challenge']
      return view.method === 'GET' && challenge !== undefined
        ? json({ verification: challenge })
        : null
    },
  },
  smartsheet: {
    doc: 'Smartsheet-Hook-Challenge echoed in Smartsheet-Hook-Response and {"smartsheetHookResponse"}',
    signed: false,
    detect: (view) => {
      const challenge = view.headers['smartsheet-hook-challenge']
      return challenge === undefined
        ? null
        : json({ smartsheetHookResponse: challenge }, { 'smartsheet-hook-response': challenge })
    },
  },
  discord: {
    doc: 'PING {"type": 1} answered {"type": 1} once the Ed25519 signature verifies',
    signed: true,
    detect: (view) => (field(view, 'type') === 1 ? json({ type: 1 }) : null),
  },
  trello: { ...none, doc: 'HEAD on webhook creation answered 200 (every trigger answers HEAD)' },
  intercom: {
    ...none,
    doc: 'HEAD when the URL is added answered 200 (every trigger answers HEAD)',
  },
  xero: {
    ...none,
    doc: 'Intent to receive: 200 when the signature verifies, 401 when not (use verification "xero")',
  },
}
