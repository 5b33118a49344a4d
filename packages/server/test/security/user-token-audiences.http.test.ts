import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { call, driveSync } from '../syncs/fixtures.ts'

/*
 * Issue #24, item 5: project B registered project A's audience with A's public key; after A's
 * next save, A's user tokens resolved to B, and A's users saw and wrote B's syncs. An audience
 * now belongs to one project, and a token resolves to exactly one project or is refused.
 */

interface Project {
  projectId: string
  apiKey: string
}

const pairA = generateKeyPairSync('rsa', { modulusLength: 2048 })
const publicPem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString()
const audA = 'switchyard.test/a'
const audB = 'switchyard.test/b'
let server: TestServer
let a: Project
let b: Project

/** An RS256 user token signed with node:crypto, independently of the code under test. */
function userToken(privateKey: KeyObject, aud: string | string[], sub = 'alice'): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const exp = Math.floor(Date.now() / 1000) + 600
  const input = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ sub, aud, exp })}`
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`
}

const putUserTokens = (
  project: Project,
  audiences: string[],
  publicKey = publicPem(pairA.publicKey),
) =>
  server.api('PUT', '/v1/settings', {
    key: project.apiKey,
    body: { userTokens: { publicKey, audiences } },
  })
const syncIdsSeenBy = async (token: string) =>
  (await call(server.api, 200, 'GET', '/v1/syncs', token)).data.map((s: { id: string }) => s.id)

beforeAll(async () => {
  server = await startTestServer()
  a = await server.createProject('A')
  b = await server.createProject('B')
})
afterAll(() => server.close())

describe('user-token audiences', () => {
  let syncOfA: string
  let syncOfB: string

  it("refuses project B registering A's audience and key, so A's tokens stay A's", async () => {
    expect((await putUserTokens(a, [audA])).status).toBe(200)
    syncOfA = (await call(server.api, 201, 'POST', '/v1/syncs', a.apiKey, driveSync)).id
    syncOfB = (
      await call(server.api, 201, 'POST', '/v1/syncs', b.apiKey, { ...driveSync, userId: 'alice' })
    ).id

    const hijack = await putUserTokens(b, [audA])
    expect(hijack.status).toBe(409)
    expect(hijack.body.error).toMatchObject({
      code: 'audience_taken',
      details: [{ path: '/userTokens/audiences/0', message: expect.stringContaining('another') }],
    })
    expect(hijack.body.error.message).toContain('choose another audience')

    // A's next save (the moment the hijack used to take effect) keeps the audience A's.
    expect((await putUserTokens(a, [audA])).status).toBe(200)
    const token = userToken(pairA.privateKey, audA, driveSync.userId)
    expect(await syncIdsSeenBy(token)).toEqual([syncOfA])
    expect((await server.api('GET', `/v1/syncs/${syncOfB}`, { key: token })).status).toBe(404)
    const b404 = await server.api('GET', `/v1/syncs/${syncOfB}/records`, {
      key: userToken(pairA.privateKey, audA, 'alice'),
    })
    expect(b404.status).toBe(404)
    const settingsOfB = await call(server.api, 200, 'GET', '/v1/settings', b.apiKey)
    expect(settingsOfB.userTokens).toBeNull()
  })

  it('refuses a token that verifies for two projects with 401 user_token_ambiguous', async () => {
    // Public keys are public: B may register A's, under an audience of its own.
    expect((await putUserTokens(b, [audB])).status).toBe(200)
    const both = await server.api('GET', '/v1/syncs', {
      key: userToken(pairA.privateKey, [audA, audB]),
    })
    expect(both.status).toBe(401)
    expect(both.body.error.code).toBe('user_token_ambiguous')
    // A token nobody's key signed learns nothing about which audiences exist.
    const forged = await server.api('GET', '/v1/syncs', {
      key: userToken(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, [audA, audB]),
    })
    expect(forged.status).toBe(401)
    expect(forged.body.error.code).toBe('unauthorized')
    expect(await syncIdsSeenBy(userToken(pairA.privateKey, audA, driveSync.userId))).toEqual([
      syncOfA,
    ])
  })

  it("refuses an audience that names another project's id", async () => {
    for (const audience of [a.projectId, `switchyard.test/${a.projectId}`]) {
      const res = await putUserTokens(b, [audience])
      expect(res.status, audience).toBe(409)
      expect(res.body.error.code).toBe('audience_taken')
    }
    expect((await putUserTokens(b, [`switchyard.test/${b.projectId}`])).status).toBe(200)
  })

  it('refuses a blank audience, or one padded or broken by whitespace', async () => {
    for (const audience of ['', ' ', ' x', 'x ', 'a\nb']) {
      const res = await putUserTokens(b, [audience])
      expect(res.status, JSON.stringify(audience)).toBe(400)
      expect(res.body.error.code).toBe('validation_failed')
    }
  })

  it('gives an audience two projects save at once to exactly one of them', async () => {
    const c = await server.createProject('C')
    const d = await server.createProject('D')
    const results = await Promise.all([
      putUserTokens(c, ['switchyard.test/contested']),
      putUserTokens(d, ['switchyard.test/contested']),
    ])
    expect(results.map((r) => r.status).sort()).toEqual([200, 409])
  })

  it('frees the audiences of a project that removes its key', async () => {
    const c = await server.createProject('E')
    expect((await putUserTokens(c, ['switchyard.test/released'])).status).toBe(200)
    await call(server.api, 200, 'PUT', '/v1/settings', c.apiKey, { userTokens: null })
    expect((await putUserTokens(b, ['switchyard.test/released'])).status).toBe(200)
  })
})
