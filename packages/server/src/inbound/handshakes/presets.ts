import { createHmac } from 'node:crypto'
import type { HookResponse, RequestView } from '../types.ts'

/** A handshake's answer, and values to keep (Asana's secret, Notion's token). */
export interface HandshakeAnswer extends HookResponse {
  persist: Record<string, string>
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
  detect(
    view: RequestView,
    ctx: HandshakeContext,
  ): Promise<HandshakeAnswer | null> | HandshakeAnswer | null
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
    detect: async (view, ctx) => {
      const plainToken = (field(view, 'payload') as { plainToken?: unknown } | undefined)
        ?.plainToken
      if (field(view, 'event') !== 'endpoint.url_validation' || typeof plainToken !== 'string')
        return null
      const secret = (await ctx.secret()) ?? ''
      return json({
        plainToken,
        encryptedToken: createHmac('sha256', secret).update(plainToken).digest('hex'),
      })
    },
  },
  x: {
    // The CRC answer is an HMAC of attacker-chosen text with the key that signs events; X's
    // protocol requires it. Events arrive by POST, so only GET is answered.
    doc: 'CRC: GET ?crc_token=… → {"response_token": "sha256=<base64 HMAC(consumer secret, token)>"}',
    signed: false,
    detect: async (view, ctx) => {
      const token = view.query['crc_token']
      if (view.method !== 'GET' || token === undefined) return null
      const secret = (await ctx.secret()) ?? ''
      return json({
        response_token: `sha256=${createHmac('sha256', secret).update(token).digest('base64')}`,
      })
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
      if (typeof expected !== 'string' || view.query['hub.verify_token'] !== expected)
        return text('verify token mismatch', {}, 403)
      return text(view.query['hub.challenge'] ?? '')
    },
  },
  asana: {
    doc: 'X-Hook-Secret echoed in the answer and persisted as hookSecret (it signs later events)',
    signed: false,
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
    doc: '{"verification_token": …}: 200, token persisted as verificationToken (it signs later events)',
    signed: false,
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
