import {
  createHash,
  createHmac,
  generateKeyPairSync,
  sign as signAsym,
  randomBytes,
} from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createTrigger, hookUrl, inboundConfig, inboundRequests, sendHook } from './helpers.ts'

/*
 * Every verification preset: a request signed here with node:crypto, independently of the
 * code under test, is accepted; a tampered body, a wrong secret and (where the scheme signs a
 * timestamp) a stale timestamp are refused with 401. Bodies keep odd JSON spacing, so only a
 * verifier over the raw bytes accepts them.
 */

let server: TestServer
let key: string
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

const body = '{ "event" :"x",   "n": 1 ,"nested":{ "a":[1, 2] } }'
const hmac = (alg: string, secret: string | Buffer, data: string | Buffer, enc: 'hex' | 'base64') =>
  createHmac(alg, secret).update(data).digest(enc)

interface Signed {
  headers: Record<string, string>
  query?: string
  body?: string
}
interface SignInput {
  body: string
  secret: string
  ts: number // seconds
  url: (query?: string) => string
}
interface Case {
  preset: string
  secret?: string
  options?: Record<string, unknown>
  /** 'past': only stale is refused (Stripe, Slack…); 'both': the future too. */
  timestamp?: 'past' | 'both'
  body?: string
  tamper?: (body: string) => string
  sign: (input: SignInput) => Signed
}

const json = { 'content-type': 'application/json' }
const whsec = 'whsec_' + randomBytes(24).toString('base64')
const ecdsa = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const ed = generateKeyPairSync('ed25519')
const edPublicHex = ed.publicKey
  .export({ format: 'der', type: 'spki' })
  .subarray(12)
  .toString('hex')
const mailgunToken = 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0'
const mailgunBody = (ts: number, signature: string, token = mailgunToken) =>
  `{"signature": {"timestamp": "${ts}", "token": "${token}", "signature": "${signature}"}, "event-data": {"event": "delivered"}}`

const cases: Case[] = [
  {
    preset: 'stripe',
    timestamp: 'past',
    sign: ({ body, secret, ts }) => ({
      headers: {
        ...json,
        'stripe-signature': `t=${ts},v1=${hmac('sha256', secret, `${ts}.${body}`, 'hex')},v0=00`,
      },
    }),
  },
  {
    preset: 'github',
    sign: ({ body, secret }) => ({
      headers: { ...json, 'x-hub-signature-256': 'sha256=' + hmac('sha256', secret, body, 'hex') },
    }),
  },
  {
    preset: 'slack',
    timestamp: 'past',
    sign: ({ body, secret, ts }) => ({
      headers: {
        ...json,
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': 'v0=' + hmac('sha256', secret, `v0:${ts}:${body}`, 'hex'),
      },
    }),
  },
  {
    preset: 'zoom',
    timestamp: 'past',
    sign: ({ body, secret, ts }) => ({
      headers: {
        ...json,
        'x-zm-request-timestamp': String(ts),
        'x-zm-signature': 'v0=' + hmac('sha256', secret, `v0:${ts}:${body}`, 'hex'),
      },
    }),
  },
  {
    preset: 'shopify',
    sign: ({ body, secret }) => ({
      headers: { ...json, 'x-shopify-hmac-sha256': hmac('sha256', secret, body, 'base64') },
    }),
  },
  {
    preset: 'hubspot-v3',
    timestamp: 'past',
    sign: ({ body, secret, ts, url }) => ({
      headers: {
        ...json,
        'x-hubspot-request-timestamp': String(ts * 1000),
        'x-hubspot-signature-v3': hmac(
          'sha256',
          secret,
          `POST${url()}${body}${ts * 1000}`,
          'base64',
        ),
      },
    }),
  },
  {
    preset: 'hubspot-v1',
    sign: ({ body, secret }) => ({
      headers: {
        ...json,
        'x-hubspot-signature': createHash('sha256')
          .update(secret + body)
          .digest('hex'),
      },
    }),
  },
  {
    preset: 'hubspot-v2',
    sign: ({ body, secret, url }) => ({
      headers: {
        ...json,
        'x-hubspot-signature': createHash('sha256')
          .update(secret + 'POST' + url() + body)
          .digest('hex'),
      },
    }),
  },
  {
    preset: 'standard-webhooks',
    secret: whsec,
    timestamp: 'both',
    sign: ({ body, secret, ts }) => {
      const sig = hmac(
        'sha256',
        Buffer.from(secret.slice(6), 'base64'),
        `msg_1.${ts}.${body}`,
        'base64',
      )
      return {
        headers: {
          ...json,
          'webhook-id': 'msg_1',
          'webhook-timestamp': String(ts),
          'webhook-signature': `v1,AAAA v1,${sig}`,
        },
      }
    },
  },
  {
    preset: 'square',
    sign: ({ body, secret, url }) => ({
      headers: {
        ...json,
        'x-square-hmacsha256-signature': hmac('sha256', secret, url() + body, 'base64'),
      },
    }),
  },
  {
    preset: 'linear',
    timestamp: 'both',
    body: '__linear__',
    tamper: (b) => b.replace('create', 'remove'),
    sign: ({ secret, ts }) => {
      const b = `{"action":"create", "webhookTimestamp": ${ts * 1000}}`
      return { headers: { ...json, 'linear-signature': hmac('sha256', secret, b, 'hex') }, body: b }
    },
  },
  {
    preset: 'box',
    timestamp: 'both',
    sign: ({ body, secret, ts }) => {
      const t = new Date(ts * 1000).toISOString()
      return {
        headers: {
          ...json,
          'box-delivery-timestamp': t,
          'box-signature-primary': 'bm9wZQ==',
          'box-signature-secondary': hmac('sha256', secret, body + t, 'base64'),
        },
      }
    },
  },
  {
    preset: 'intercom',
    sign: ({ body, secret }) => ({
      headers: { ...json, 'x-hub-signature': 'sha1=' + hmac('sha1', secret, body, 'hex') },
    }),
  },
  {
    preset: 'jira',
    sign: ({ body, secret }) => ({
      headers: { ...json, 'x-hub-signature': 'sha256=' + hmac('sha256', secret, body, 'hex') },
    }),
  },
  {
    preset: 'trello',
    sign: ({ body, secret, url }) => ({
      headers: { ...json, 'x-trello-webhook': hmac('sha1', secret, body + url(), 'base64') },
    }),
  },
  {
    preset: 'zendesk',
    sign: ({ body, secret, ts }) => {
      const t = new Date(ts * 1000).toISOString()
      return {
        headers: {
          ...json,
          'x-zendesk-webhook-signature-timestamp': t,
          'x-zendesk-webhook-signature': hmac('sha256', secret, t + body, 'base64'),
        },
      }
    },
  },
  {
    preset: 'typeform',
    sign: ({ body, secret }) => ({
      headers: {
        ...json,
        'typeform-signature': 'sha256=' + hmac('sha256', secret, body, 'base64'),
      },
    }),
  },
  {
    preset: 'calendly',
    timestamp: 'past',
    sign: ({ body, secret, ts }) => ({
      headers: {
        ...json,
        'calendly-webhook-signature': `t=${ts},v1=${hmac('sha256', secret, `${ts}.${body}`, 'hex')}`,
      },
    }),
  },
  {
    preset: 'airtable',
    secret: randomBytes(32).toString('base64'),
    sign: ({ body, secret }) => ({
      headers: {
        ...json,
        'x-airtable-content-mac':
          'hmac-sha256=' + hmac('sha256', Buffer.from(secret, 'base64'), body, 'hex'),
      },
    }),
  },
  {
    preset: 'paddle',
    timestamp: 'both',
    sign: ({ body, secret, ts }) => ({
      headers: {
        ...json,
        'paddle-signature': `ts=${ts};h1=${hmac('sha256', secret, `${ts}:${body}`, 'hex')}`,
      },
    }),
  },
  {
    preset: 'mailgun',
    timestamp: 'past',
    body: '__mailgun__',
    tamper: (b) => b.replace(mailgunToken, mailgunToken.replace('a8', 'b9')),
    sign: ({ secret, ts }) => ({
      headers: json,
      body: mailgunBody(ts, hmac('sha256', secret, `${ts}${mailgunToken}`, 'hex')),
    }),
  },
  {
    preset: 'dropbox',
    sign: ({ body, secret }) => ({
      headers: { ...json, 'x-dropbox-signature': hmac('sha256', secret, body, 'hex') },
    }),
  },
  {
    preset: 'meta',
    sign: ({ body, secret }) => ({
      headers: { ...json, 'x-hub-signature-256': 'sha256=' + hmac('sha256', secret, body, 'hex') },
    }),
  },
  {
    preset: 'x',
    sign: ({ body, secret }) => ({
      headers: {
        ...json,
        'x-twitter-webhooks-signature': 'sha256=' + hmac('sha256', secret, body, 'base64'),
      },
    }),
  },
  {
    preset: 'xero',
    sign: ({ body, secret }) => ({
      headers: { ...json, 'x-xero-signature': hmac('sha256', secret, body, 'base64') },
    }),
  },
  {
    preset: 'line',
    sign: ({ body, secret }) => ({
      headers: { ...json, 'x-line-signature': hmac('sha256', secret, body, 'base64') },
    }),
  },
  {
    preset: 'twilio',
    body: 'Digits=1234&To=%2B18005551212&CallSid=CA1234567890ABCDE&From=%2B12349013030',
    tamper: (b) => b.replace('1234&', '9999&'),
    sign: ({ body, secret, url }) => {
      const params = new URLSearchParams(body)
      const data =
        url() +
        [...params.keys()]
          .sort()
          .map((k) => k + params.get(k))
          .join('')
      return {
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': hmac('sha1', secret, data, 'base64'),
        },
      }
    },
  },
  {
    preset: 'twilio',
    options: { variant: 'json' },
    sign: ({ body, secret, url }) => {
      const query = `bodySHA256=${createHash('sha256').update(body).digest('hex')}`
      return {
        headers: { ...json, 'x-twilio-signature': hmac('sha1', secret, url(query), 'base64') },
        query,
      }
    },
  },
  {
    preset: 'sendgrid',
    secret: ecdsa.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    sign: ({ body, ts }) => ({
      headers: {
        ...json,
        'x-twilio-email-event-webhook-timestamp': String(ts),
        'x-twilio-email-event-webhook-signature': signAsym(
          'sha256',
          Buffer.from(ts + body),
          ecdsa.privateKey,
        ).toString('base64'),
      },
    }),
  },
  {
    preset: 'discord',
    secret: edPublicHex,
    sign: ({ body, ts }) => ({
      headers: {
        ...json,
        'x-signature-timestamp': String(ts),
        'x-signature-ed25519': signAsym(null, Buffer.from(ts + body), ed.privateKey).toString(
          'hex',
        ),
      },
    }),
  },
  {
    preset: 'basic',
    secret: 'hooks:pa55-word-1234',
    sign: ({ secret }) => ({
      headers: { ...json, authorization: 'Basic ' + Buffer.from(secret).toString('base64') },
    }),
  },
  {
    preset: 'api-key',
    options: { header: 'x-gitlab-token' },
    sign: ({ secret }) => ({ headers: { ...json, 'x-gitlab-token': secret } }),
  },
  {
    preset: 'token',
    options: { query: 'token' },
    sign: ({ secret }) => ({ headers: json, query: `token=${encodeURIComponent(secret)}` }),
  },
]

// Body-agnostic schemes (static keys) cannot notice a tampered body; that is their nature.
const signsBody = (c: Case) => !['basic', 'api-key', 'token'].includes(c.preset)
const label = (c: Case) =>
  c.preset + (c.options?.['variant'] ? ` (${String(c.options['variant'])})` : '')

async function setUp(c: Case) {
  const secret = c.secret ?? `secret-${c.preset}-${randomBytes(6).toString('hex')}`
  const { variant: _v, ...options } = c.options ?? {}
  const trigger = await createTrigger(server, key, {
    verification: { preset: c.preset, secrets: [secret], ...options },
  })
  const send = async (signed: Signed, sentBody: string) =>
    sendHook(server, trigger.id, { headers: signed.headers, body: sentBody, query: signed.query })
  const sign = (over: Partial<SignInput> = {}) =>
    c.sign({
      body,
      secret,
      ts: Math.floor(Date.now() / 1000),
      url: (q) => hookUrl(trigger.id, q),
      ...over,
    })
  return { trigger, secret, send, sign }
}

describe.each(cases)('verification preset $preset', (c) => {
  it(`${label(c)}: accepts a correctly signed request`, async () => {
    const { send, sign } = await setUp(c)
    const signed = sign({ body: c.body?.startsWith('__') ? body : (c.body ?? body) })
    const res = await send(signed, signed.body ?? c.body ?? body)
    expect(res.status, res.text).toBe(200)
  })

  it(`${label(c)}: refuses a request signed with another secret`, async () => {
    const { send, sign } = await setUp(c)
    const other =
      c.preset === 'sendgrid' || c.preset === 'discord'
        ? undefined
        : c.preset === 'standard-webhooks'
          ? 'whsec_' + randomBytes(24).toString('base64')
          : c.preset === 'airtable'
            ? randomBytes(32).toString('base64')
            : 'wrong-secret-0000000000'
    const signed =
      other !== undefined
        ? sign({ secret: other })
        : c.preset === 'sendgrid'
          ? {
              headers: {
                ...json,
                'x-twilio-email-event-webhook-timestamp': '1',
                'x-twilio-email-event-webhook-signature': signAsym(
                  'sha256',
                  Buffer.from('1' + body),
                  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
                ).toString('base64'),
              },
            }
          : {
              headers: {
                ...json,
                'x-signature-timestamp': '1',
                'x-signature-ed25519': signAsym(
                  null,
                  Buffer.from('1' + body),
                  generateKeyPairSync('ed25519').privateKey,
                ).toString('hex'),
              },
            }
    const res = await send(
      signed,
      signed.body ?? (c.body?.startsWith('__') ? body : (c.body ?? body)),
    )
    expect(res.status).toBe(401)
  })
})

describe.each(cases.filter(signsBody))('verification preset $preset, tampered', (c) => {
  it(`${label(c)}: refuses a tampered body with 401`, async () => {
    const { send, sign, trigger } = await setUp(c)
    const original = c.body?.startsWith('__') ? body : (c.body ?? body)
    const signed = sign({ body: original })
    const sent = signed.body ?? original
    const res = await send(signed, (c.tamper ?? ((b) => b.replace('"x"', '"y"')))(sent))
    expect(res.status).toBe(401)
    expect(JSON.parse(res.text).error.code).toBe('verification_failed')
    const [logged] = await inboundRequests(server, key, trigger.id)
    expect(logged).toMatchObject({ outcome: 'rejected', responseStatus: 401 })
    expect(logged.reason).toMatch(/mismatch|bodySHA256/)
  })
})

describe.each(cases.filter((c) => c.timestamp !== undefined))(
  'verification preset $preset, timestamps',
  (c) => {
    it(`${label(c)}: refuses a stale timestamp`, async () => {
      const { send, sign, trigger } = await setUp(c)
      const signed = sign({ ts: Math.floor(Date.now() / 1000) - 3600 })
      const res = await send(signed, signed.body ?? body)
      expect(res.status).toBe(401)
      const [logged] = await inboundRequests(server, key, trigger.id)
      expect(logged.reason).toMatch(/timestamp too old/)
    })

    it(`${label(c)}: ${c.timestamp === 'both' ? 'refuses' : 'accepts, as the provider SDK does,'} a future timestamp`, async () => {
      const { send, sign } = await setUp(c)
      const signed = sign({ ts: Math.floor(Date.now() / 1000) + 3600 })
      const res = await send(signed, signed.body ?? body)
      expect(res.status).toBe(c.timestamp === 'both' ? 401 : 200)
    })
  },
)
