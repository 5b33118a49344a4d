import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { stringify } from 'safe-stable-stringify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/store/index.ts'
import type { SyncScheduler } from '../../src/syncs/index.ts'
import { createClock } from '../helpers/clock.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { reapplyMigration } from '../helpers/migrations.ts'
import { createTestDb } from '../helpers/test-db.ts'
import { call } from '../syncs/fixtures.ts'

/*
 * Migration 0017 (issue #25, item 4) on filesystem records stored before it, with the
 * connector's earlier `parentFolder` key: it renames the key to `parentFolderId` and recomputes
 * the change-detection hash, so the next passes find nothing changed and send no
 * record_updated. Names with a quote, a control character and non-ASCII letters check that the
 * SQL writes the hash input exactly as the JavaScript does.
 */

const clock = createClock()
let db: Db
let server: TestServer
let dir: string
let key: string
let syncId: string

const files: Record<string, string> = {
  'a.txt': 'alpha',
  'docs/b "quoted"\u000b.md': '# beta',
  'docs/deep/ünï.csv': 'x,y\n1,2\n',
}
const sha256 = (value: string | Buffer) => createHash('sha256').update(value).digest('hex')

/** The hash pages.ts keeps for a record, computed here from the file itself. */
function recordHash(data: object, name: string, mimeType: string, content: string): string {
  return sha256(stringify([data, name, mimeType, sha256(Buffer.from(content))])!)
}

const scheduler = () =>
  server.engine.workers.find((w) => w.name === 'sync-scheduler') as unknown as SyncScheduler

interface Row {
  id: string
  external_id: string
  name: string
  mime_type: string
  data: Record<string, string>
  hash: string
}
const rows = async () =>
  (
    await sql<Row>`select id, external_id, name, mime_type, data, hash from sync_records
      where sync_id = ${syncId} order by external_id`.execute(db.kysely)
  ).rows

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-0017-'))
  for (const [file, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true })
    await fs.writeFile(path.join(dir, file), text)
  }
  db = await createTestDb()
  server = await startTestServer({ db, now: clock.now, config: { fsConnectorRoots: [dir] } })
  key = (await server.createProject()).apiKey
  const sync = await call(server.api, 201, 'POST', '/v1/syncs', key, {
    integration: 'filesystem',
    pipeline: 'files',
    userId: 'local-user',
    configuration: { path: dir },
  })
  syncId = sync.id
  expect(await scheduler().runOnce()).toBe(1) // INITIAL
  // Back to what an earlier version stored: `parentFolder`, and the hash it computed for it.
  for (const row of await rows()) {
    const { parentFolderId, ...rest } = row.data
    const legacy = { ...rest, parentFolder: parentFolderId! }
    const hash = recordHash(legacy, row.name, row.mime_type, files[row.external_id]!)
    await sql`update sync_records set data = ${JSON.stringify(legacy)}::jsonb, hash = ${hash}
      where id = ${row.id}`.execute(db.kysely)
  }
}, 60_000)
afterAll(async () => {
  await server?.close()
  await db?.close()
  await fs.rm(dir, { recursive: true, force: true })
})

describe('migration 0017', () => {
  it('renames parentFolder to parentFolderId and writes the hash the connector now computes', async () => {
    expect(await reapplyMigration(db, 17)).toEqual([17])
    const migrated = await rows()
    expect(migrated.map((r) => [r.external_id, r.data.parentFolderId])).toEqual([
      ['a.txt', ''],
      ['docs/b "quoted"\u000b.md', 'docs'],
      ['docs/deep/ünï.csv', 'docs/deep'],
    ])
    for (const row of migrated) {
      expect(row.data).not.toHaveProperty('parentFolder')
      expect(row.hash, row.external_id).toBe(
        recordHash(row.data, row.name, row.mime_type, files[row.external_id]!),
      )
    }
  })

  it('leaves the next passes nothing to report', async () => {
    clock.advance(24 * 3600_000 + 60_000)
    let runs = 0
    while ((await scheduler().runOnce()) > 0 && runs < 5) runs++
    expect(runs).toBeGreaterThan(0)
    const events = await call(server.api, 200, 'GET', '/v1/events?limit=100', key)
    const changes = events.data.filter((e: { type: string }) => e.type.startsWith('record.'))
    expect(changes).toEqual([])
    const sync = await call(server.api, 200, 'GET', `/v1/syncs/${syncId}`, key)
    expect(sync).toMatchObject({ status: 'IDLE', summary: { totalRecords: 3 } })
  })
})
