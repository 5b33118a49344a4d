import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  verifyWebhook,
  WebhookVerificationError,
  type WebhookVerificationErrorCode,
} from '../../src/index.ts'
import { syncComplete, vectorSecret } from '../helpers/fixtures.ts'
import { referenceHeaders } from '../helpers/reference-signer.ts'

// The Standard Webhooks specification's published test vector.
const vector = {
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
}
const vectorHeaders = {
  'webhook-id': vector.id,
  'webhook-timestamp': String(vector.timestamp),
  'webhook-signature': vector.signature,
}
const atVectorTime = { now: () => new Date(vector.timestamp * 1000) }
const body = JSON.stringify(syncComplete)
const otherSecret = 'whsec_' + btoa('a-second-secret-for-rotation-32b')

async function refusal(promise: Promise<unknown>): Promise<WebhookVerificationErrorCode> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(WebhookVerificationError)
  return (error as WebhookVerificationError).code
}

describe('verifyWebhook', () => {
  it("verifies the specification's published test vector", async () => {
    const event = await verifyWebhook(vector.body, vectorHeaders, vectorSecret, atVectorTime)
    expect(event).toEqual({ test: 2432232314 })
  })

  it('verifies a signature made by the reference standardwebhooks package', async () => {
    const event = await verifyWebhook(body, referenceHeaders(vectorSecret, body), vectorSecret)
    expect(event).toEqual(syncComplete)
  })

  it('verifies a body given as bytes without decoding it', async () => {
    // Not valid UTF-8: decoding and re-encoding would change the signed bytes.
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"a":"'),
      0xff,
      ...new TextEncoder().encode('"}'),
    ])
    const timestamp = Math.floor(Date.now() / 1000)
    const key = Buffer.from(vectorSecret.slice('whsec_'.length), 'base64')
    const signed = Buffer.concat([Buffer.from(`msg_1.${timestamp}.`), bytes])
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v1,${createHmac('sha256', key).update(signed).digest('base64')}`,
    }
    // The signature matches; only the JSON step refuses the bytes.
    expect(await refusal(verifyWebhook(bytes, headers, vectorSecret))).toBe('invalid_json')
  })

  it('accepts a secret without the whsec_ prefix', async () => {
    const bare = vectorSecret.slice('whsec_'.length)
    await expect(verifyWebhook(vector.body, vectorHeaders, bare, atVectorTime)).resolves.toEqual({
      test: 2432232314,
    })
  })

  it('reads headers from a fetch Headers object', async () => {
    const headers = new Headers(vectorHeaders)
    await expect(
      verifyWebhook(vector.body, headers, vectorSecret, atVectorTime),
    ).resolves.toBeTruthy()
  })

  it('reads headers from a plain object whatever their case', async () => {
    const headers = {
      'Webhook-Id': vector.id,
      'WEBHOOK-TIMESTAMP': String(vector.timestamp),
      'webhook-Signature': vector.signature,
    }
    await expect(
      verifyWebhook(vector.body, headers, vectorSecret, atVectorTime),
    ).resolves.toBeTruthy()
  })

  it('refuses a tampered body with invalid_signature', async () => {
    const tampered = vector.body.replace('2432232314', '2432232315')
    expect(await refusal(verifyWebhook(tampered, vectorHeaders, vectorSecret, atVectorTime))).toBe(
      'invalid_signature',
    )
  })

  it('refuses a tampered webhook-id with invalid_signature', async () => {
    const headers = { ...vectorHeaders, 'webhook-id': 'msg_other' }
    expect(await refusal(verifyWebhook(vector.body, headers, vectorSecret, atVectorTime))).toBe(
      'invalid_signature',
    )
  })

  it('refuses a signature made with another secret with invalid_signature', async () => {
    expect(
      await refusal(verifyWebhook(body, referenceHeaders(otherSecret, body), vectorSecret)),
    ).toBe('invalid_signature')
  })

  it('ignores signatures of other versions', async () => {
    const headers = {
      ...vectorHeaders,
      'webhook-signature': vector.signature.replace('v1,', 'v2,'),
    }
    expect(await refusal(verifyWebhook(vector.body, headers, vectorSecret, atVectorTime))).toBe(
      'invalid_signature',
    )
  })

  it('refuses a timestamp older than the tolerance with timestamp_too_old', async () => {
    const now = () => new Date((vector.timestamp + 301) * 1000)
    expect(await refusal(verifyWebhook(vector.body, vectorHeaders, vectorSecret, { now }))).toBe(
      'timestamp_too_old',
    )
  })

  it('refuses a timestamp ahead of the tolerance with timestamp_in_future', async () => {
    const now = () => new Date((vector.timestamp - 301) * 1000)
    expect(await refusal(verifyWebhook(vector.body, vectorHeaders, vectorSecret, { now }))).toBe(
      'timestamp_in_future',
    )
  })

  it('accepts a timestamp exactly at the tolerance in either direction', async () => {
    for (const offset of [-300, 300]) {
      const now = () => new Date((vector.timestamp + offset) * 1000)
      await expect(
        verifyWebhook(vector.body, vectorHeaders, vectorSecret, { now }),
      ).resolves.toBeTruthy()
    }
  })

  it('applies a custom tolerance', async () => {
    const now = () => new Date((vector.timestamp + 61) * 1000)
    const options = { now, toleranceSeconds: 60 }
    expect(await refusal(verifyWebhook(vector.body, vectorHeaders, vectorSecret, options))).toBe(
      'timestamp_too_old',
    )
  })

  it('accepts either signature when the sender signs with an old and a new secret', async () => {
    const at = new Date()
    const id = 'msg_rotation'
    const signatures = [otherSecret, vectorSecret].map(
      (s) => referenceHeaders(s, body, { id, at })['webhook-signature'],
    )
    const headers = {
      ...referenceHeaders(vectorSecret, body, { id, at }),
      'webhook-signature': signatures.join(' '),
    }
    await expect(verifyWebhook(body, headers, vectorSecret)).resolves.toEqual(syncComplete)
    await expect(verifyWebhook(body, headers, otherSecret)).resolves.toEqual(syncComplete)
  })

  it('accepts a webhook signed with any of the secrets it is given', async () => {
    const headers = referenceHeaders(vectorSecret, body)
    await expect(verifyWebhook(body, headers, [otherSecret, vectorSecret])).resolves.toEqual(
      syncComplete,
    )
  })

  it('refuses missing headers with missing_headers, naming them', async () => {
    const { 'webhook-signature': _, ...headers } = vectorHeaders
    const error = await verifyWebhook(vector.body, headers, vectorSecret, atVectorTime).catch(
      (e: WebhookVerificationError) => e,
    )
    expect(error).toMatchObject({ code: 'missing_headers', message: 'Missing webhook-signature.' })
  })

  it('refuses a timestamp that is not Unix seconds with missing_headers', async () => {
    const headers = { ...vectorHeaders, 'webhook-timestamp': '2021-02-21T21:02:10Z' }
    expect(await refusal(verifyWebhook(vector.body, headers, vectorSecret, atVectorTime))).toBe(
      'missing_headers',
    )
  })

  it('refuses a correctly signed body that is not JSON with invalid_json', async () => {
    const text = 'not json'
    expect(
      await refusal(verifyWebhook(text, referenceHeaders(vectorSecret, text), vectorSecret)),
    ).toBe('invalid_json')
  })

  it('reports a secret that is not base64 as invalid_secret', async () => {
    expect(
      await refusal(verifyWebhook(vector.body, vectorHeaders, 'whsec_%%%', atVectorTime)),
    ).toBe('invalid_secret')
  })
})
