import { createSign, generateKeyPairSync } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SyncScheduler } from '../../src/syncs/index.ts'
import { createClock } from '../helpers/clock.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { call } from './fixtures.ts'

const clock = createClock()
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 })
const audience = 'switchyard.test/filesystem'
let server: TestServer
let receiver: Receiver
let key: string
let dir: string
let syncId: string

/** An RS256 user token signed with node:crypto, independently of the code under test. */
function userToken(sub: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const exp = Math.floor(clock.now().getTime() / 1000) + 3600
  const input = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ sub, aud: audience, exp })}`
  return `${input}.${createSign('RSA-SHA256').update(input).sign(keys.privateKey).toString('base64url')}`
}

const scheduler = () =>
  server.engine.workers.find((w) => w.name === 'sync-scheduler') as unknown as SyncScheduler
const write = (file: string, text: string) =>
  fs
    .mkdir(path.dirname(path.join(dir, file)), { recursive: true })
    .then(() => fs.writeFile(path.join(dir, file), text))
const received = () => receiver.requests.map((r) => JSON.parse(r.body))
let delivered = 0
// Waits until the dispatcher recorded `n` deliveries as delivered (not only sent), so moving
// the clock afterwards cannot expire an in-flight lease and send one twice.
const deliveries = (n: number) => waitFor(() => delivered >= n)

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-fs-sync-'))
  await write('a.txt', 'alpha')
  await write('docs/b.md', '# beta')
  receiver = await startReceiver()
  // The connector is off unless the operator names roots (issue #24).
  server = await startTestServer({ now: clock.now, config: { fsConnectorRoots: [dir] } })
  server.engine.dispatcher.events.on('delivered', () => delivered++)
  key = (await server.createProject()).apiKey
  const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  await call(server.api, 200, 'PUT', '/v1/settings', key, {
    webhookUrl: receiver.url,
    userTokens: { publicKey, audiences: [audience] },
  })
  const sync = await call(server.api, 201, 'POST', '/v1/syncs', key, {
    integration: 'filesystem',
    pipeline: 'files',
    userId: 'local-user',
    configuration: { path: dir },
  })
  syncId = sync.id
  // The scheduler runs the built-in connector's syncs itself.
  expect(sync.runBy).toBe('engine')
})
afterAll(async () => {
  await server.close()
  await receiver.close()
  await fs.rm(dir, { recursive: true, force: true })
})

/** A client's copy of the folder, kept with only the documented read API and a user token. */
interface Mirror {
  files: Map<string, string>
  cursor: string
}

/** Pulls every change since the mirror's cursor, one record per page, content included. */
async function pull(token: string, mirror: Mirror = { files: new Map(), cursor: '' }) {
  for (;;) {
    const path = `/v1/syncs/${syncId}/records?pageSize=1&cursor=${mirror.cursor}`
    const page = await call(server.api, 200, 'GET', path, token)
    for (const record of page.data) {
      if (record.deleted) {
        mirror.files.delete(record.externalId)
        continue
      }
      const res = await fetch(`${server.url}/v1/syncs/${syncId}/records/${record.id}/content`, {
        headers: { authorization: `Bearer ${token}` },
      })
      mirror.files.set(record.externalId, await res.text())
    }
    mirror.cursor = page.paging.cursor
    if (page.paging.remainingRecords === 0) return mirror
  }
}

describe('a filesystem sync', () => {
  it('runs INITIAL, then INCREMENTAL and FULL on the clock, and a user-token client mirrors the folder', async () => {
    expect(await scheduler().runOnce()).toBe(1)
    await deliveries(1)
    expect(received()[0]).toMatchObject({
      event: 'sync_complete',
      syncInstanceId: syncId,
      sync: 'filesystem',
      user: { id: 'local-user' },
      data: { model: 'files', numRecords: 2 },
    })
    const kept = await pull(userToken('local-user'))
    expect(Object.fromEntries(kept.files)).toEqual({ 'a.txt': 'alpha', 'docs/b.md': '# beta' })
    // Paragon's File fields at the top level (https://docs.useparagon.com/managed-sync/api/file-schema).
    const first = await call(server.api, 200, 'GET', `/v1/syncs/${syncId}/records`, key)
    expect(
      first.data.find((r: { externalId: string }) => r.externalId === 'docs/b.md'),
    ).toMatchObject({
      externalId: 'docs/b.md',
      name: 'b.md',
      mimeType: 'text/markdown',
      size: 6,
      parentFolderId: 'docs',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      path: 'docs/b.md',
    })

    await write('a.txt', 'alpha, edited')
    await write('c.txt', 'gamma')
    await fs.rm(path.join(dir, 'docs/b.md'))
    expect(await scheduler().runOnce()).toBe(0) // nothing due before the minute passed
    clock.advance(60_000)
    expect(await scheduler().runOnce()).toBe(1)
    await deliveries(3)
    expect(
      received()
        .slice(1)
        .map((b) => b.event)
        .sort(),
    ).toEqual(['record_created', 'record_updated'])

    clock.advance(24 * 3600_000)
    expect(await scheduler().runOnce()).toBe(1)
    await deliveries(4)
    expect(received()[3]).toMatchObject({ event: 'record_deleted', data: { model: 'files' } })
    // A day later (a fresh token: the first one expired on the moved clock), the kept mirror
    // catches up from its cursor and a new one starts from scratch; both equal the folder.
    const token = userToken('local-user')
    const folder = { 'a.txt': 'alpha, edited', 'c.txt': 'gamma' }
    expect(Object.fromEntries((await pull(token, kept)).files)).toEqual(folder)
    expect(Object.fromEntries((await pull(token)).files)).toEqual(folder)
    const sync = await call(server.api, 200, 'GET', `/v1/syncs/${syncId}`, key)
    expect(sync).toMatchObject({ status: 'IDLE', summary: { totalRecords: 2 } })
  })

  it('errors the sync with 10006 when its directory is gone', async () => {
    await fs.mkdir(path.join(dir, 'going'))
    const gone = await call(server.api, 201, 'POST', '/v1/syncs', key, {
      integration: 'filesystem',
      pipeline: 'files',
      userId: 'local-user',
      configuration: { path: path.join(dir, 'going') },
    })
    await fs.rm(path.join(dir, 'going'), { recursive: true })
    await scheduler().runOnce()
    const sync = await call(server.api, 200, 'GET', `/v1/syncs/${gone.id}`, key)
    expect(sync).toMatchObject({ status: 'ERRORED', error: { code: '10006' } })
    expect(sync.error.message).toContain('ENOENT') // inside a root, saying why is no oracle
  })

  it('refuses a missing directory inside a root when the sync is saved', async () => {
    const res = await server.api('POST', '/v1/syncs', {
      key,
      body: {
        integration: 'filesystem',
        pipeline: 'files',
        userId: 'u',
        configuration: { path: path.join(dir, 'missing') },
      },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.details).toEqual([
      { path: '/configuration/path', message: 'cannot be read (ENOENT)' },
    ])
  })

  it('refuses a relative path and a non-admin key', async () => {
    const res = await server.api('POST', '/v1/syncs', {
      key,
      body: {
        integration: 'filesystem',
        pipeline: 'files',
        userId: 'u',
        configuration: { path: 'rel' },
      },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ path: '/configuration/path' }),
    ])
    const member = await call(server.api, 201, 'POST', '/v1/api-keys', key, {
      name: 'worker',
      role: 'member',
    })
    const refused = await server.api('POST', '/v1/syncs', {
      key: member.key,
      body: {
        integration: 'filesystem',
        pipeline: 'files',
        userId: 'u',
        configuration: { path: dir },
      },
    })
    expect(refused.status).toBe(403)
  })
})
