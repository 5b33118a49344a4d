import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordId } from '../../src/syncs/index.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { call, createSync, driveSync, files, runWith } from './fixtures.ts'

let server: TestServer
let key: string
let projectId: string

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 })
const projectKeys = pair()
const audience = 'switchyard.test/project'
const nowSeconds = () => Math.floor(Date.now() / 1000)

/** An RS256 JWT signed with node:crypto, independently of the code under test. */
function userToken(
  claims: Record<string, unknown>,
  privateKey: KeyObject = projectKeys.privateKey,
): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const body = { aud: audience, iat: nowSeconds(), exp: nowSeconds() + 600, ...claims }
  const input = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(body)}`
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')
  return `${input}.${signature}`
}

beforeAll(async () => {
  server = await startTestServer()
  ;({ apiKey: key, projectId } = await server.createProject())
  const publicKey = projectKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  await call(server.api, 200, 'PUT', '/v1/settings', key, {
    userTokens: { publicKey, audiences: [audience, `${audience}/${projectId}`] },
  })
})
afterAll(() => server.close())

const api = () => server.api

describe('GET /v1/syncs/:id/records', () => {
  let syncId: string
  beforeAll(async () => {
    syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('a', 'b', 'c', 'd', 'e') })
  })
  const page = (query: string) =>
    call(api(), 200, 'GET', `/v1/syncs/${syncId}/records${query}`, key)

  it('pages in change order with Paragon paging fields and a stable cursor', async () => {
    const first = await page('?pageSize=2')
    expect(first.data.map((r: { externalId: string }) => r.externalId)).toEqual(['a', 'b'])
    expect(first.paging).toMatchObject({
      totalRecords: 5,
      totalActiveRecords: 5,
      remainingRecords: 3,
    })
    expect(typeof first.paging.lastSeen).toBe('number')
    const second = await page(`?limit=2&cursor=${first.paging.cursor}`)
    expect(second.data.map((r: { externalId: string }) => r.externalId)).toEqual(['c', 'd'])
    const third = await page(`?pageSize=2&cursor=${second.paging.cursor}`)
    expect(third.paging.remainingRecords).toBe(0)
    const caughtUp = await page(`?cursor=${third.paging.cursor}`)
    expect(caughtUp).toEqual({
      data: [],
      paging: {
        totalRecords: 5,
        totalActiveRecords: 5,
        remainingRecords: 0,
        cursor: third.paging.cursor,
        lastSeen: null,
      },
    })
  })

  it('returns what changed since a kept cursor', async () => {
    const all = await page('?pageSize=1000')
    await runWith(api(), key, syncId, 'INCREMENTAL', {
      records: [{ externalId: 'b', data: { v: 2 } }],
    })
    const since = await page(`?cursor=${all.paging.cursor}`)
    expect(since.data).toEqual([expect.objectContaining({ externalId: 'b', metadata: { v: 2 } })])
  })

  it('answers 400 invalid_cursor for a cursor it did not hand out', async () => {
    const res = await api()('GET', `/v1/syncs/${syncId}/records?cursor=bm9wZQ`, { key })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_cursor')
  })
})

describe('GET /v1/syncs/:id/records/:recordId[/content]', () => {
  it('reads a files record and its content with its MIME type', async () => {
    const syncId = await createSync(api(), key)
    const content = Buffer.from('# Plan\n')
    await runWith(api(), key, syncId, 'INITIAL', {
      records: [
        {
          externalId: 'drive-1',
          name: 'plan.md',
          mimeType: 'text/markdown',
          data: { parentFolderId: 'root' },
          content: content.toString('base64'),
        },
      ],
    })
    const id = recordId(syncId, 'drive-1')
    const { data } = await call(api(), 200, 'GET', `/v1/syncs/${syncId}/records/${id}`, key)
    expect(data).toEqual({
      id,
      externalId: 'drive-1',
      name: 'plan.md',
      mimeType: 'text/markdown',
      size: content.length,
      parentFolderId: 'root',
      syncId,
      syncedAt: expect.any(String),
      metadata: { parentFolderId: 'root' },
    })
    const res = await fetch(`${server.url}/v1/syncs/${syncId}/records/${id}/content`, {
      headers: { authorization: `Bearer ${key}` },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/markdown/)
    expect(Buffer.from(await res.arrayBuffer())).toEqual(content)
  })

  it("puts Paragon's File fields at the top level, camelCase, as the published schema has them", async () => {
    const syncId = await createSync(api(), key)
    // https://docs.useparagon.com/managed-sync/api/file-schema
    const file = {
      url: 'https://drive.google.com/file/d/1Zp4kQ9xW2/view',
      thumbnailUrl: 'https://lh3.googleusercontent.com/1Zp4kQ9xW2',
      createdAt: '2025-07-01T10:00:00.000Z',
      updatedAt: '2025-07-07T18:59:00.000Z',
      hash: { md5: '9e107d9d372bb6826bd81d3542a419d6' },
      parentFolderId: '0AKJ3pQ9xW2Uk9PVA',
      customFields: { starred: true },
    }
    await runWith(api(), key, syncId, 'INITIAL', {
      records: [
        {
          externalId: '1Zp4kQ9xW2',
          name: 'Q3 plan.docx',
          mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          // A producer's own id or name never replaces the read API's.
          data: { ...file, id: 'not-ours', name: 'not-ours' },
        },
      ],
    })
    const id = recordId(syncId, '1Zp4kQ9xW2')
    const { data } = await call(api(), 200, 'GET', `/v1/syncs/${syncId}/records/${id}`, key)
    // Owned fields first, Switchyard's additions last; the record's own in between (in the
    // order the store keeps them).
    const keys = Object.keys(data)
    expect(keys.slice(0, 5)).toEqual(['id', 'externalId', 'name', 'mimeType', 'size'])
    expect(keys.slice(5, -3).sort()).toEqual(Object.keys(file).sort())
    expect(keys.slice(-3)).toEqual(['syncId', 'syncedAt', 'metadata'])
    expect(data).toMatchObject({ id, name: 'Q3 plan.docx', ...file })
    expect(data.metadata).toEqual({ ...file, id: 'not-ours', name: 'not-ours' })
    const page = await call(api(), 200, 'GET', `/v1/syncs/${syncId}/records`, key)
    expect(page.data).toEqual([data])
  })

  it('answers 404 for content of a record without any', async () => {
    const syncId = await createSync(api(), key)
    await runWith(api(), key, syncId, 'INITIAL', { records: files('plain') })
    const res = await api()(
      'GET',
      `/v1/syncs/${syncId}/records/${recordId(syncId, 'plain')}/content`,
      { key },
    )
    expect(res.status).toBe(404)
  })

  it('serves the new content after an update, and none once an update carries none', async () => {
    const syncId = await createSync(api(), key)
    const version = (content: string | null) => ({
      records: [
        {
          externalId: 'doc',
          name: 'doc.txt',
          mimeType: 'text/plain',
          data: { content },
          ...(content === null ? {} : { content: Buffer.from(content).toString('base64') }),
        },
      ],
    })
    const read = () =>
      fetch(`${server.url}/v1/syncs/${syncId}/records/${recordId(syncId, 'doc')}/content`, {
        headers: { authorization: `Bearer ${key}` },
      })
    await runWith(api(), key, syncId, 'INITIAL', version('first'))
    await runWith(api(), key, syncId, 'INCREMENTAL', version('second'))
    expect(await (await read()).text()).toBe('second')
    await runWith(api(), key, syncId, 'INCREMENTAL', version(null))
    expect((await read()).status).toBe(404)
  })
})

describe('user tokens', () => {
  let mine: string
  let theirs: string
  beforeAll(async () => {
    mine = await createSync(api(), key, { ...driveSync, userId: 'alice' })
    theirs = await createSync(api(), key, { ...driveSync, userId: 'bob' })
    await runWith(api(), key, mine, 'INITIAL', { records: files('a') })
  })
  const asUser = (path: string, token: string) => api()('GET', path, { key: token })

  it("reads the user's own sync and records", async () => {
    const token = userToken({ sub: 'alice' })
    expect((await asUser(`/v1/syncs/${mine}`, token)).status).toBe(200)
    const records = await asUser(`/v1/syncs/${mine}/records`, token)
    expect(records.status).toBe(200)
    expect(records.body.data).toHaveLength(1)
  })

  it("answers 404 for another user's sync", async () => {
    const token = userToken({ sub: 'alice' })
    expect((await asUser(`/v1/syncs/${theirs}`, token)).status).toBe(404)
    expect((await asUser(`/v1/syncs/${theirs}/records`, token)).status).toBe(404)
  })

  it('lists only the user’s syncs', async () => {
    const res = await asUser('/v1/syncs', userToken({ sub: 'alice' }))
    expect(res.body.data.map((s: { id: string }) => s.id)).toEqual([mine])
  })

  it('accepts any of the project audiences, in a list too', async () => {
    const token = userToken({ sub: 'alice', aud: ['other', `${audience}/${projectId}`] })
    expect((await asUser(`/v1/syncs/${mine}`, token)).status).toBe(200)
  })

  it('refuses a wrong audience, an expired token and another key with 401', async () => {
    const tokens = [
      userToken({ sub: 'alice', aud: 'someone-else' }),
      userToken({ sub: 'alice', exp: nowSeconds() - 60 }),
      userToken({ sub: 'alice' }, pair().privateKey),
      userToken({ sub: 'alice', exp: undefined }),
    ]
    for (const token of tokens) {
      const res = await asUser(`/v1/syncs/${mine}`, token)
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('unauthorized')
    }
  })

  it('creates a sync for the token’s user and may not start runs', async () => {
    const token = userToken({ sub: 'carol' })
    const { userId: _, ...body } = driveSync
    const created = await call(api(), 201, 'POST', '/v1/syncs', token, body)
    expect(created.userId).toBe('carol')
    const run = await api()('POST', `/v1/syncs/${created.id}/runs`, {
      key: token,
      body: { type: 'INITIAL' },
    })
    // A valid token of the wrong kind for the worker routes (issue #25): 403, naming the kind.
    expect(run.status).toBe(403)
    expect(run.body.error.code).toBe('project_key_required')
  })

  it('refuses a public key that is not PEM', async () => {
    const res = await api()('PUT', '/v1/settings', {
      key,
      body: { userTokens: { publicKey: 'not a key', audiences: ['x'] } },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ path: '/userTokens/publicKey' }),
    ])
  })
})
