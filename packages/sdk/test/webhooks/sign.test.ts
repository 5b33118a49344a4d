import { describe, expect, it } from 'vitest'
import { signWebhook, verifyWebhook } from '../../src/index.ts'
import { syncComplete, vectorSecret } from '../helpers/fixtures.ts'
import { referenceVerify } from '../helpers/reference-signer.ts'

describe('signWebhook', () => {
  it("reproduces the specification's published test vector", async () => {
    const headers = await signWebhook(vectorSecret, '{"test": 2432232314}', {
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: new Date(1614265330 * 1000),
    })
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    })
  })

  it('makes signatures the reference standardwebhooks package verifies', async () => {
    const body = JSON.stringify(syncComplete)
    const headers = await signWebhook(vectorSecret, body)
    expect(referenceVerify(vectorSecret, body, { ...headers })).toEqual(syncComplete)
  })

  it('signs once per secret, space-separated', async () => {
    const second = 'whsec_' + btoa('a-second-secret-for-rotation-32b')
    const headers = await signWebhook([vectorSecret, second], '{}')
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2)
    expect(referenceVerify(second, '{}', { ...headers })).toEqual({})
  })

  it('defaults to a fresh msg_ id and the current time', async () => {
    const before = Math.floor(Date.now() / 1000)
    const headers = await signWebhook(vectorSecret, '{}')
    expect(headers['webhook-id']).toMatch(/^msg_[0-9a-f-]{36}$/)
    expect(Number(headers['webhook-timestamp'])).toBeGreaterThanOrEqual(before)
    await expect(verifyWebhook('{}', headers, vectorSecret)).resolves.toEqual({})
  })
})
