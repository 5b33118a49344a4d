import { execFileSync } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SyncScheduler } from '../../src/syncs/index.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createTestDb } from '../helpers/test-db.ts'
import { call, pushPage, startRun, syncEvents } from '../syncs/fixtures.ts'

/*
 * Issue #24, item 1: a project admin key created a `filesystem` sync over the server's data dir
 * and read credentials.json (the instance admin token) and secret.key through the records API;
 * a missing path answered ENOENT (a path oracle). The connector is now off unless the operator
 * names roots, and every path resolves inside them, outside the data dir.
 */

const secrets = ['ADMIN-TOKEN-IN-CREDENTIALS', 'SECRET-KEY-FILE', 'OUTSIDE-THE-ROOTS']
let base: string
let root: string // the operator's first root
let bounds: string // a second root, for the size bounds
let tree: string // root/tree: files, the data dir, links out, a FIFO
let dataDir: string
let outside: string
let server: TestServer
let key: string

const scheduler = (s: TestServer) =>
  s.engine.workers.find((w) => w.name === 'sync-scheduler') as unknown as SyncScheduler
const write = async (file: string, text: string) => {
  await fs.mkdir(path.dirname(file), { recursive: true })
  await fs.writeFile(file, text)
}
const filesystemSync = (dir: string) => ({
  integration: 'filesystem',
  pipeline: 'files',
  userId: 'local',
  configuration: { path: dir },
})
const createSync = (s: TestServer, k: string, dir: string) =>
  s.api('POST', '/v1/syncs', { key: k, body: filesystemSync(dir) })
const syncOf = (id: string) => call(server.api, 200, 'GET', `/v1/syncs/${id}`, key)
const recordsOf = async (id: string) =>
  (await call(server.api, 200, 'GET', `/v1/syncs/${id}/records?pageSize=1000`, key)).data as {
    id: string
    externalId: string
  }[]

beforeAll(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-fs-sec-')))
  root = path.join(base, 'root')
  bounds = path.join(base, 'bounds')
  tree = path.join(root, 'tree')
  dataDir = path.join(tree, '.switchyard')
  outside = path.join(base, 'outside')
  await write(path.join(tree, 'docs', 'a.txt'), 'alpha')
  await write(path.join(dataDir, 'credentials.json'), `{"adminToken":"${secrets[0]}"}`)
  await write(path.join(dataDir, 'secret.key'), secrets[1]!)
  await write(path.join(outside, 'secret.txt'), secrets[2]!)
  await fs.symlink(outside, path.join(tree, 'escape'))
  await fs.symlink(path.join(outside, 'secret.txt'), path.join(tree, 'escape-file.txt'))
  await fs.symlink(path.join(outside, 'missing'), path.join(tree, 'dangling'))
  await fs.symlink(dataDir, path.join(tree, 'data-link'))
  execFileSync('mkfifo', [path.join(tree, 'fifo')])
  await write(path.join(root, 'swap', 's.txt'), 'swapped out later')
  await write(path.join(bounds, 'deep', '1', '2', '3', '4', 'f.txt'), 'too deep')
  for (let i = 0; i < 30; i++) await write(path.join(bounds, 'many', `f${i}.txt`), 'x')
  for (let i = 0; i < 3; i++) await write(path.join(bounds, 'heavy', `f${i}.bin`), 'x'.repeat(2000))
  server = await startTestServer({
    config: {
      fsConnectorRoots: [root, bounds],
      dataDir,
      fsConnectorMaxFiles: 25,
      fsConnectorMaxDepth: 3,
      fsConnectorMaxPassBytes: 4000,
    },
  })
  key = (await server.createProject()).apiKey
})
afterAll(async () => {
  await server?.close()
  await fs.rm(base, { recursive: true, force: true })
})

describe('the filesystem connector with roots set', () => {
  it('refuses every path outside the roots with one answer, whether it exists or not', async () => {
    const refused = [
      dataDir, // inside a root, but the data dir
      path.join(dataDir, 'missing'),
      path.join(tree, 'data-link'), // a link to the data dir
      '/etc',
      '/no/such/dir/anywhere',
      '/proc/self',
      path.join(root, '..', 'outside'), // `..` out of the root, to a directory that exists
      path.join(root, '..', 'no-such-dir'),
      path.join(tree, 'escape'), // a link inside the root to a directory outside
      path.join(tree, 'escape', 'missing'),
      path.join(tree, 'escape-file.txt'),
      path.join(tree, 'dangling'), // a link out to nothing
    ]
    const answers = []
    for (const dir of refused) {
      const res = await createSync(server, key, dir)
      expect(res.status, dir).toBe(400)
      answers.push(res.body)
    }
    expect(answers[0].error.details).toEqual([
      {
        path: '/configuration/path',
        message: `must be a directory inside the filesystem connector's roots (${root}, ${bounds})`,
      },
    ])
    for (const answer of answers) expect(answer).toEqual(answers[0])
  })

  it('reads regular files only: not the data dir, nor through links, nor a FIFO', async () => {
    const res = await createSync(server, key, tree)
    expect(res.status).toBe(201)
    await scheduler(server).runOnce()
    expect(await syncOf(res.body.id)).toMatchObject({ status: 'IDLE' })
    const records = await recordsOf(res.body.id)
    expect(records.map((r) => r.externalId)).toEqual(['docs/a.txt'])
    // The walk itself passes them by: none was even tried (content reads refuse them too).
    expect(await syncEvents(server.api, key, res.body.id, 'record.errored')).toEqual([])
    for (const record of records) {
      const content = await fetch(
        `${server.url}/v1/syncs/${res.body.id}/records/${record.id}/content`,
        { headers: { authorization: `Bearer ${key}` } },
      )
      const text = await content.text()
      for (const secret of secrets) expect(text).not.toContain(secret)
    }
  })

  it('fails a sync whose directory became a link out of the roots after it was saved', async () => {
    const res = await createSync(server, key, path.join(root, 'swap'))
    expect(res.status).toBe(201)
    await fs.rm(path.join(root, 'swap'), { recursive: true })
    await fs.symlink(outside, path.join(root, 'swap'))
    await scheduler(server).runOnce()
    expect(await syncOf(res.body.id)).toMatchObject({
      status: 'ERRORED',
      error: {
        code: '10006',
        message: `The sync's path must be a directory inside the filesystem connector's roots (${root}, ${bounds}).`,
      },
    })
    expect(await recordsOf(res.body.id)).toEqual([])
  })

  it.each([
    ['deep', 'SWITCHYARD_FS_CONNECTOR_MAX_DEPTH'],
    ['many', 'SWITCHYARD_FS_CONNECTOR_MAX_FILES'],
    ['heavy', 'SWITCHYARD_FS_CONNECTOR_MAX_PASS_BYTES'],
  ])('stops a pass over a %s directory with connector_limit_exceeded', async (dir, knob) => {
    const res = await createSync(server, key, path.join(bounds, dir))
    expect(res.status).toBe(201)
    await scheduler(server).runOnce()
    const sync = await syncOf(res.body.id)
    expect(sync).toMatchObject({ status: 'ERRORED', error: { code: 'connector_limit_exceeded' } })
    expect(sync.error.message).toContain(knob)
    expect(await recordsOf(res.body.id)).toEqual([])
  })

  it('never reads a file for an external id a worker pushes', async () => {
    await fs.mkdir(path.join(root, 'pushed'))
    const res = await createSync(server, key, path.join(root, 'pushed'))
    const runId = await startRun(server.api, key, res.body.id, 'INITIAL')
    const escaping = ['../../outside/secret.txt', '/etc/passwd', '../tree/.switchyard/secret.key']
    await pushPage(server.api, key, res.body.id, runId, {
      records: escaping.map((externalId) => ({ externalId, data: {} })),
    })
    for (const record of await recordsOf(res.body.id)) {
      const content = await server.api(
        'GET',
        `/v1/syncs/${res.body.id}/records/${record.id}/content`,
        { key },
      )
      expect(content.status).toBe(404)
    }
  })
})

describe('the filesystem connector without roots', () => {
  it('refuses to create a sync, and fails the syncs created while it was on', async () => {
    const db = await createTestDb()
    try {
      const before = await startTestServer({ db, config: { fsConnectorRoots: [root], dataDir } })
      const admin = (await before.createProject()).apiKey
      const existing = await createSync(before, admin, path.join(tree, 'docs'))
      expect(existing.status).toBe(201)
      await before.close()

      const after = await startTestServer({ db, config: { dataDir } })
      try {
        for (const dir of [dataDir, path.join(tree, 'docs'), '/etc']) {
          const res = await createSync(after, admin, dir)
          expect(res.status).toBe(403)
          expect(res.body.error.code).toBe('connector_disabled')
          expect(res.body.error.message).toContain('SWITCHYARD_FS_CONNECTOR_ROOTS')
        }
        await scheduler(after).runOnce()
        const sync = await call(after.api, 200, 'GET', `/v1/syncs/${existing.body.id}`, admin)
        expect(sync).toMatchObject({ status: 'ERRORED', error: { code: 'connector_disabled' } })
        const records = await call(
          after.api,
          200,
          'GET',
          `/v1/syncs/${existing.body.id}/records`,
          admin,
        )
        expect(records.data).toEqual([])
      } finally {
        await after.close()
      }
    } finally {
      await db.close()
    }
  })
})
