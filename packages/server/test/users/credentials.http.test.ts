import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/store/index.ts'
import { adminToken, startTestServer, type TestServer } from '../helpers/server.ts'

const secretKey = 'test-secret-key-for-credentials'
let server: TestServer
let key: string

beforeAll(async () => {
  server = await startTestServer({ config: { secretKey } })
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

let serial = 0
const newId = () => `cred_${++serial}_${Date.now()}`

const put = (id: string, body: Record<string, unknown>, k = key) =>
  server.api('PUT', `/v1/credentials/${id}`, { key: k, body })

/** The canonical events emitted for one credential, oldest first. */
async function eventsOf(credentialId: string): Promise<{ type: string; data: any }[]> {
  const res = await server.api('GET', '/v1/events?limit=500', { key })
  return (res.body.data as any[])
    .filter((e) => e.credentialId === credentialId)
    .reverse()
    .map((e) => ({ type: e.type, data: e.data }))
}

describe('connected users', () => {
  it('creates a user with metadata and reads it back with its credentials', async () => {
    const put1 = await server.api('PUT', '/v1/users/user_42', {
      key,
      body: { metadata: { email: 'ada@example.com' } },
    })
    expect(put1.status).toBe(200)
    const id = newId()
    await put(id, { userId: 'user_42', integration: 'slack', status: 'PENDING' })
    const read = await server.api('GET', '/v1/users/user_42', { key })
    expect(read.body).toMatchObject({ id: 'user_42', metadata: { email: 'ada@example.com' } })
    expect(read.body.credentials.map((c: any) => c.id)).toEqual([id])
  })

  it('answers 404 for an unknown user', async () => {
    const res = await server.api('GET', '/v1/users/nobody', { key })
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
  })
})

describe('credential status events', () => {
  it('emits integration.installed the first time a credential is VALID, with its metadata', async () => {
    const id = newId()
    const res = await put(id, {
      userId: 'user_1',
      integration: 'googledrive',
      status: 'VALID',
      metadata: { workspace: 'acme' },
    })
    expect(res.status).toBe(201)
    expect(await eventsOf(id)).toEqual([
      { type: 'integration.installed', data: { metadata: { workspace: 'acme' } } },
    ])
  })

  it('emits credential.failed on VALID → INVALID and credential.fixed on INVALID → VALID', async () => {
    const id = newId()
    await put(id, { userId: 'user_1', integration: 'hubspot', status: 'VALID' })
    await put(id, { status: 'INVALID', error: 'invalid_grant: refresh token revoked' })
    await put(id, { status: 'VALID' })
    expect(await eventsOf(id)).toEqual([
      { type: 'integration.installed', data: { metadata: {} } },
      { type: 'credential.failed', data: { error: 'invalid_grant: refresh token revoked' } },
      { type: 'credential.fixed', data: {} },
    ])
  })

  it('emits nothing for a repeated status or a change of other fields', async () => {
    const id = newId()
    await put(id, { userId: 'user_1', integration: 'slack', status: 'VALID' })
    await put(id, { status: 'VALID', providerAccountId: 'T123' })
    await put(id, { metadata: { a: 1 } })
    expect((await eventsOf(id)).map((e) => e.type)).toEqual(['integration.installed'])
  })

  it('emits integration.installed (not credential.fixed) when a PENDING credential first works', async () => {
    const id = newId()
    await put(id, { userId: 'user_1', integration: 'slack', status: 'PENDING' })
    await put(id, { status: 'INVALID', error: 'consent denied' })
    expect(await eventsOf(id)).toEqual([])
    await put(id, { status: 'VALID' })
    expect((await eventsOf(id)).map((e) => e.type)).toEqual(['integration.installed'])
  })

  it('refuses VALID → INVALID without an error', async () => {
    const id = newId()
    await put(id, { userId: 'user_1', integration: 'slack', status: 'VALID' })
    const res = await put(id, { status: 'INVALID' })
    expect(res.status).toBe(400)
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: '/error' }))
    expect((await eventsOf(id)).map((e) => e.type)).toEqual(['integration.installed'])
  })

  it('refuses to move a credential to another user', async () => {
    const id = newId()
    await put(id, { userId: 'user_1', integration: 'slack' })
    const res = await put(id, { userId: 'user_2' })
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('conflict')
  })

  it('needs userId and integration to create a credential', async () => {
    const res = await put(newId(), { status: 'VALID' })
    expect(res.status).toBe(400)
    expect(res.body.error.details.map((d: any) => d.path)).toEqual(['/userId', '/integration'])
  })
})

describe('credential tokens', () => {
  const accessToken = 'xoxb-1234567890-plaintext-access-token'

  it('stores tokens encrypted: the row holds no plaintext', async () => {
    const id = newId()
    await put(id, {
      userId: 'user_1',
      integration: 'slack',
      tokens: { accessToken, refreshToken: 'refresh-plaintext-value-0001' },
    })
    const { rows } = await sql<Record<string, unknown>>`
      select * from credentials where id = ${id}`.execute(server.engine.db.kysely)
    const raw = JSON.stringify(rows[0])
    expect(raw).not.toContain('plaintext')
    expect(rows[0]!.tokens_ciphertext).toMatch(/^v1\.[A-Za-z0-9+/]+=*$/)
  })

  it('never returns a token in full', async () => {
    const id = newId()
    await put(id, { userId: 'user_1', integration: 'slack', tokens: { accessToken, short: 'abc' } })
    const read = await server.api('GET', `/v1/credentials/${id}`, { key })
    expect(read.body.tokens).toEqual({ accessToken: '…oken', short: '…' })
    expect(JSON.stringify(read.body)).not.toContain('plaintext')
  })

  it('keeps stored tokens when a PUT leaves them out', async () => {
    const id = newId()
    await put(id, { userId: 'user_1', integration: 'slack', tokens: { accessToken } })
    const res = await put(id, { status: 'VALID' })
    expect(res.body.tokens).toEqual({ accessToken: '…oken' })
  })
})

describe('credential reads', () => {
  it("answers 404 for another project's credential", async () => {
    const id = newId()
    await put(id, { userId: 'user_1', integration: 'slack' })
    const other = (await server.createProject('Other')).apiKey
    expect((await server.api('GET', `/v1/credentials/${id}`, { key: other })).status).toBe(404)
  })

  it('lists credentials by user in pages', async () => {
    const user = `pager_${Date.now()}`
    for (const suffix of ['a', 'b', 'c'])
      await put(`${user}_${suffix}`, { userId: user, integration: 'x' })
    const first = await server.api('GET', `/v1/credentials?userId=${user}&limit=2`, { key })
    expect(first.body.data.map((c: any) => c.id)).toEqual([`${user}_a`, `${user}_b`])
    const second = await server.api(
      'GET',
      `/v1/credentials?userId=${user}&limit=2&cursor=${first.body.nextCursor}`,
      { key },
    )
    expect(second.body).toEqual({
      data: [expect.objectContaining({ id: `${user}_c` })],
      nextCursor: null,
    })
  })
})

describe('the secret key', () => {
  it('is generated into <dataDir>/secret.key on the embedded store, refused on PostgreSQL', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-key-'))
    const keyless = await startTestServer({ config: { secretKey: null, dataDir } })
    try {
      // Without ownerEmail: a project's default email destination has a secret to seal too.
      const project = await keyless.api('POST', '/v1/projects', {
        key: adminToken,
        body: { name: 'Keyless' },
      })
      const apiKey = project.body.apiKey as string
      const res = await keyless.api('PUT', '/v1/credentials/c1', {
        key: apiKey,
        body: { userId: 'u', integration: 'slack', tokens: { accessToken: 't' } },
      })
      if (keyless.engine.db.kind === 'pglite') {
        expect(res.status).toBe(201)
        const stat = await fs.stat(path.join(dataDir, 'secret.key'))
        expect(stat.mode & 0o777).toBe(0o600)
      } else {
        expect(res.status).toBe(500)
        expect(res.body.error.code).toBe('secret_key_missing')
      }
    } finally {
      await keyless.close()
      await fs.rm(dataDir, { recursive: true, force: true })
    }
  })
})
