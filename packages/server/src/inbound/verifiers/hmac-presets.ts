import type { HmacScheme, SecretRef } from '../types.ts'

/** An HMAC preset: the generic scheme with the provider's settings, and where its doc lives. */
export interface HmacPreset {
  scheme: HmacScheme
  /** Secrets used when the trigger names none (Asana signs with the handshake's secret). */
  defaultSecrets?: SecretRef[]
  doc: string
}

const hex = { encoding: 'hex', keyEncoding: 'utf8', algorithm: 'sha256' } as const
const b64 = { encoding: 'base64', keyEncoding: 'utf8', algorithm: 'sha256' } as const
const bodyOnly = { content: '{body}' }
const seconds = (
  header: string,
  toleranceSeconds: number,
  direction: 'past' | 'both' = 'past',
) => ({
  header,
  unit: 's' as const,
  toleranceSeconds,
  direction,
})

/**
 * Provider presets kept as data (shared/reference/inbound-anchors.md §1 gives each row's source).
 * Tolerances follow the provider's SDK: Stripe, Slack and HubSpot check age only; Standard
 * Webhooks and Box refuse the future too.
 */
export const hmacPresets: Record<string, HmacPreset> = {
  stripe: {
    doc: 'Stripe-Signature t=…,v1=… over "{t}.{body}", key = the whsec_ string as is',
    scheme: {
      ...hex,
      content: '{timestamp}.{body}',
      signature: { header: 'stripe-signature', regex: 'v1=([0-9a-fA-F]+)' },
      timestamp: {
        header: 'stripe-signature',
        regex: 't=(\\d+)',
        unit: 's',
        toleranceSeconds: 300,
        direction: 'past',
      },
    },
  },
  github: {
    doc: 'X-Hub-Signature-256: sha256=<hex HMAC of the body>',
    scheme: {
      ...hex,
      ...bodyOnly,
      signature: { header: 'x-hub-signature-256', prefix: 'sha256=' },
    },
  },
  slack: {
    doc: 'X-Slack-Signature: v0=<hex HMAC of "v0:{ts}:{body}">, 5 min',
    scheme: {
      ...hex,
      content: 'v0:{timestamp}:{body}',
      signature: { header: 'x-slack-signature', prefix: 'v0=' },
      timestamp: seconds('x-slack-request-timestamp', 300),
    },
  },
  zoom: {
    doc: 'x-zm-signature: v0=<hex HMAC of "v0:{ts}:{body}">, key = the Secret Token',
    scheme: {
      ...hex,
      content: 'v0:{timestamp}:{body}',
      signature: { header: 'x-zm-signature', prefix: 'v0=' },
      timestamp: seconds('x-zm-request-timestamp', 300),
    },
  },
  shopify: {
    doc: 'X-Shopify-Hmac-Sha256: base64 HMAC of the body',
    scheme: {
      ...b64,
      ...bodyOnly,
      signature: { header: ['x-shopify-hmac-sha256', 'shopify-hmac-sha256'] },
    },
  },
  'hubspot-v3': {
    doc: 'X-HubSpot-Signature-v3: base64 HMAC of method + URL + body + timestamp (ms), 5 min',
    scheme: {
      ...b64,
      content: '{method}{url}{body}{timestamp}',
      signature: { header: 'x-hubspot-signature-v3' },
      timestamp: {
        header: 'x-hubspot-request-timestamp',
        unit: 'ms',
        toleranceSeconds: 300,
        direction: 'past',
      },
    },
  },
  'standard-webhooks': {
    doc: 'webhook-signature: v1,<base64> over "{id}.{ts}.{body}", whsec_ key, ±5 min (Svix headers too)',
    scheme: {
      algorithm: 'sha256',
      encoding: 'base64',
      keyEncoding: 'whsec',
      content: '{id}.{timestamp}.{body}',
      signature: { header: ['webhook-signature', 'svix-signature'], regex: '(?:^|\\s)v1,(\\S+)' },
      timestamp: { ...seconds('', 300, 'both'), header: ['webhook-timestamp', 'svix-timestamp'] },
      id: { header: ['webhook-id', 'svix-id'] },
    },
  },
  square: {
    doc: 'x-square-hmacsha256-signature: base64 HMAC of notification URL + body',
    scheme: {
      ...b64,
      content: '{url}{body}',
      signature: { header: 'x-square-hmacsha256-signature' },
    },
  },
  linear: {
    doc: 'Linear-Signature: hex HMAC of the body; webhookTimestamp (ms, in the body) within 60 s',
    scheme: {
      ...hex,
      ...bodyOnly,
      signature: { header: 'linear-signature' },
      timestamp: {
        bodyPath: '$.webhookTimestamp',
        unit: 'ms',
        toleranceSeconds: 60,
        direction: 'both',
      },
    },
  },
  asana: {
    doc: 'X-Hook-Signature: hex HMAC of the body, key = the X-Hook-Secret of the handshake',
    scheme: { ...hex, ...bodyOnly, signature: { header: 'x-hook-signature' } },
    defaultSecrets: [{ from: 'persisted', key: 'hookSecret' }],
  },
  box: {
    doc: 'BOX-SIGNATURE-PRIMARY / -SECONDARY: base64 HMAC of body + BOX-DELIVERY-TIMESTAMP, 10 min',
    scheme: {
      ...b64,
      content: '{body}{timestamp}',
      signature: { header: ['box-signature-primary', 'box-signature-secondary'] },
      timestamp: {
        header: 'box-delivery-timestamp',
        unit: 'rfc3339',
        toleranceSeconds: 600,
        direction: 'both',
      },
    },
  },
  intercom: {
    doc: 'X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body>, key = client secret',
    scheme: {
      ...hex,
      algorithm: 'sha1',
      ...bodyOnly,
      signature: { header: 'x-hub-signature', prefix: 'sha1=' },
    },
  },
  jira: {
    doc: 'X-Hub-Signature: sha256=<hex HMAC of the body> (WebSub)',
    scheme: { ...hex, ...bodyOnly, signature: { header: 'x-hub-signature', prefix: 'sha256=' } },
  },
  notion: {
    doc: 'X-Notion-Signature: sha256=<hex HMAC of the body>, key = the verification_token',
    scheme: { ...hex, ...bodyOnly, signature: { header: 'x-notion-signature', prefix: 'sha256=' } },
    defaultSecrets: [{ from: 'persisted', key: 'verificationToken' }],
  },
  trello: {
    doc: 'X-Trello-Webhook: base64 HMAC-SHA1 of body + callback URL',
    scheme: {
      ...b64,
      algorithm: 'sha1',
      content: '{body}{url}',
      signature: { header: 'x-trello-webhook' },
    },
  },
  zendesk: {
    doc: 'X-Zendesk-Webhook-Signature: base64 HMAC of timestamp + body',
    scheme: {
      ...b64,
      content: '{timestamp}{body}',
      signature: { header: 'x-zendesk-webhook-signature' },
      timestamp: { header: 'x-zendesk-webhook-signature-timestamp', unit: 'rfc3339' },
    },
  },
  typeform: {
    doc: 'Typeform-Signature: sha256=<base64 HMAC of the body>',
    scheme: { ...b64, ...bodyOnly, signature: { header: 'typeform-signature', prefix: 'sha256=' } },
  },
  calendly: {
    doc: 'Calendly-Webhook-Signature: t=…,v1=<hex HMAC of "{t}.{body}">, 3 min',
    scheme: {
      ...hex,
      content: '{timestamp}.{body}',
      signature: { header: 'calendly-webhook-signature', regex: 'v1=([0-9a-fA-F]+)' },
      timestamp: {
        header: 'calendly-webhook-signature',
        regex: 't=(\\d+)',
        unit: 's',
        toleranceSeconds: 180,
      },
    },
  },
  airtable: {
    doc: 'X-Airtable-Content-MAC: hmac-sha256=<hex>, key = base64-decoded macSecretBase64',
    scheme: {
      ...hex,
      keyEncoding: 'base64',
      ...bodyOnly,
      signature: { header: 'x-airtable-content-mac', prefix: 'hmac-sha256=' },
    },
  },
  paddle: {
    doc: 'Paddle-Signature: ts=…;h1=<hex HMAC of "{ts}:{body}">, 5 s',
    scheme: {
      ...hex,
      content: '{timestamp}:{body}',
      signature: { header: 'paddle-signature', regex: 'h1=([0-9a-fA-F]+)' },
      timestamp: {
        header: 'paddle-signature',
        regex: 'ts=(\\d+)',
        unit: 's',
        toleranceSeconds: 5,
        direction: 'both',
      },
    },
  },
  mailgun: {
    doc: 'signature in the body: hex HMAC of signature.timestamp + signature.token',
    scheme: {
      ...hex,
      content: '{$.signature.timestamp}{$.signature.token}',
      signature: { bodyPath: '$.signature.signature' },
      timestamp: {
        bodyPath: '$.signature.timestamp',
        unit: 's',
        toleranceSeconds: 300,
        direction: 'past',
      },
    },
  },
  dropbox: {
    doc: 'X-Dropbox-Signature: hex HMAC of the body, key = app secret',
    scheme: { ...hex, ...bodyOnly, signature: { header: 'x-dropbox-signature' } },
  },
  meta: {
    doc: 'X-Hub-Signature-256: sha256=<hex HMAC of the body>, key = App Secret (WhatsApp, Instagram too)',
    scheme: {
      ...hex,
      ...bodyOnly,
      signature: { header: 'x-hub-signature-256', prefix: 'sha256=' },
    },
  },
  x: {
    doc: 'x-twitter-webhooks-signature: sha256=<base64 HMAC of the body>, key = consumer secret',
    scheme: {
      ...b64,
      ...bodyOnly,
      signature: { header: 'x-twitter-webhooks-signature', prefix: 'sha256=' },
    },
  },
  xero: {
    doc: 'x-xero-signature: base64 HMAC of the body; intent-to-receive is answered 200/401 by it',
    scheme: { ...b64, ...bodyOnly, signature: { header: 'x-xero-signature' } },
  },
  line: {
    doc: 'x-line-signature: base64 HMAC of the body, key = channel secret',
    scheme: { ...b64, ...bodyOnly, signature: { header: 'x-line-signature' } },
  },
}
