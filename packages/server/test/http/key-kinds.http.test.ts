import { createSign, generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminToken, startTestServer, type TestServer } from '../helpers/server.ts'

/*
 * Issue #25 item 5: a valid key of the wrong kind gets 403 with a code naming the kind the route
 * takes, not 401 "The key is not valid (unknown, revoked or expired)".
 */

let server: TestServer
let key: string
let userToken: string
const audience = 'switchyard.test/key-kinds'

/** An RS256 user token made with node:crypto, independently of the server's verifier. */
function signUserToken(privateKey: import('node:crypto').KeyObject, sub: string): string {
  const now = Math.floor(Date.now() / 1000)
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ sub, aud: audience, iat: now, exp: now + 600 })}`
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`
}

beforeAll(async () => {
  server = await startTestServer()
  key = (await server.createProject()).apiKey
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const res = await server.api('PUT', '/v1/settings', {
    key,
    body: { userTokens: { publicKey, audiences: [audience] } },
  })
  expect(res.status).toBe(200)
  userToken = signUserToken(pair.privateKey, 'alice')
})
afterAll(() => server.close())

const error = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await server.api(method, path, { key: token, ...(body ? { body } : {}) })
  return { status: res.status, code: res.body?.error?.code, message: res.body?.error?.message }
}

describe('a valid key of the wrong kind', () => {
  it('answers 403 instance_token_required to a project key on /v1/projects', async () => {
    const body = { name: 'x', ownerEmail: 'x@x.io' }
    for (const method of ['GET', 'POST']) {
      expect(
        await error(method, '/v1/projects', key, method === 'POST' ? body : undefined),
      ).toEqual({
        status: 403,
        code: 'instance_token_required',
        message:
          'This route takes the instance admin token (SWITCHYARD_ADMIN_TOKEN); this is a project API key.',
      })
    }
  })

  it('answers 403 instance_token_required to a user token on /v1/projects', async () => {
    expect(await error('GET', '/v1/projects', userToken)).toMatchObject({
      status: 403,
      code: 'instance_token_required',
      message: expect.stringContaining('this is a user token'),
    })
  })

  it('answers 403 project_key_required to the instance token on a project route', async () => {
    expect(await error('GET', '/v1/destinations', adminToken)).toEqual({
      status: 403,
      code: 'project_key_required',
      message:
        'This route takes a project API key with the "viewer" role or above; this is the instance admin token, which only manages projects (/v1/projects).',
    })
  })

  it('answers 403 project_key_required to a user token where a project key is needed', async () => {
    expect(
      await error('POST', '/v1/events', userToken, { type: 'webhook.test', data: {} }),
    ).toEqual({
      status: 403,
      code: 'project_key_required',
      message:
        'This route takes a project API key with the "member" role or above; this is a user token, which only reads synced records (GET /v1/syncs/…).',
    })
  })

  it('answers 403 project_key_required to the instance token on the sync read API', async () => {
    const res = await error(
      'GET',
      '/v1/syncs/00000000-0000-5000-8000-000000000000/records',
      adminToken,
    )
    expect(res).toMatchObject({ status: 403, code: 'project_key_required' })
  })

  it('still answers 401 unauthorized to a key that is no key at all', async () => {
    for (const token of ['sy_' + 'x'.repeat(43), 'a.b.c', `${userToken}x`]) {
      expect(await error('GET', '/v1/projects', token)).toMatchObject({
        status: 401,
        code: 'unauthorized',
      })
      expect(await error('GET', '/v1/destinations', token)).toMatchObject({
        status: 401,
        code: 'unauthorized',
      })
    }
  })

  it('lets each kind through where it belongs', async () => {
    expect((await server.api('GET', '/v1/projects', { key: adminToken })).status).toBe(200)
    expect((await server.api('GET', '/v1/destinations', { key })).status).toBe(200)
    expect((await server.api('GET', '/v1/syncs', { key: userToken })).status).toBe(200)
  })
})
