import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  findChanged,
  recheckChanged,
  upsertRecords,
  type PreparedRecord,
} from '../../src/syncs/record-store.ts'
import { recordId } from '../../src/syncs/record-ids.ts'
import type { Db } from '../../src/store/index.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createTestDb } from '../helpers/test-db.ts'
import { createSync } from './fixtures.ts'

// A page checks its records against a snapshot before it takes the sync lock (findChanged), and
// brings that answer up to date under the lock (recheckChanged). These tests put another page's
// write between the two, which concurrent HTTP requests only do by chance.

let db: Db
let server: TestServer
let key: string

beforeAll(async () => {
  db = await createTestDb()
  server = await startTestServer({ db })
  key = (await server.createProject()).apiKey
})
afterAll(async () => {
  await server.close()
  await db.close()
})

const now = new Date('2026-11-23T12:00:00Z')

function record(syncId: string, externalId: string, version: string): PreparedRecord {
  return {
    id: recordId(syncId, externalId),
    externalId,
    name: null,
    mimeType: null,
    size: null,
    data: { externalId, version },
    contentHash: null,
    content: null,
    hash: `${externalId}@${version}`,
  }
}

/** What another page does under the lock: writes the records, and returns the new change counter. */
async function otherPageWrites(syncId: string, records: PreparedRecord[]): Promise<number> {
  const q = db.kysely
  const { rows } = await sql<{
    record_seq: number
  }>`select record_seq from syncs where id = ${syncId}`.execute(q)
  const seqBase = Number(rows[0]!.record_seq)
  const snapshot = await findChanged(q, { syncId, records })
  const changed = await recheckChanged(q, { syncId, records, snapshot, recordSeq: seqBase })
  // upsertRecords moves the counter too.
  await upsertRecords(q, { syncId, seqBase, seenRunId: null, now, records, changed })
  return seqBase + changed.length
}

describe('a page checked before another page wrote its records', () => {
  it('keeps its snapshot when nothing was written in between', async () => {
    const syncId = await createSync(server.api, key)
    const seq = await otherPageWrites(syncId, [record(syncId, 'a', 'v1')])
    const page = [record(syncId, 'a', 'v2'), record(syncId, 'b', 'v1')]
    const snapshot = await findChanged(db.kysely, { syncId, records: page })
    expect(snapshot.recordSeq).toBe(seq)
    const changed = await recheckChanged(db.kysely, {
      syncId,
      records: page,
      snapshot,
      recordSeq: seq,
    })
    expect(changed).toBe(snapshot.changed)
    expect(changed.map((c) => [c.id, c.created])).toEqual([
      [page[0]!.id, false],
      [page[1]!.id, true],
    ])
  })

  it('sees a record the other page created, changed or made identical to its own', async () => {
    const syncId = await createSync(server.api, key)
    await otherPageWrites(syncId, [record(syncId, 'same', 'v1'), record(syncId, 'moved', 'v1')])
    const page = [
      record(syncId, 'same', 'v2'), // the other page writes v2 too: now unchanged
      record(syncId, 'moved', 'v1'), // the other page moves it to v3: now changed
      record(syncId, 'new', 'v1'), // the other page creates it with v9: changed, not created
      record(syncId, 'untouched', 'v1'), // nobody else writes it: still created
    ]
    const snapshot = await findChanged(db.kysely, { syncId, records: page })
    expect(snapshot.changed.map((c) => c.id).sort()).toEqual(
      [page[0]!.id, page[2]!.id, page[3]!.id].sort(),
    )
    const seq = await otherPageWrites(syncId, [
      record(syncId, 'same', 'v2'),
      record(syncId, 'moved', 'v3'),
      record(syncId, 'new', 'v9'),
    ])
    const changed = await recheckChanged(db.kysely, {
      syncId,
      records: page,
      snapshot,
      recordSeq: seq,
    })
    const byId = new Map(changed.map((c) => [c.id, c]))
    expect(byId.has(page[0]!.id)).toBe(false)
    expect(byId.get(page[1]!.id)).toMatchObject({
      created: false,
      previous_data: { externalId: 'moved', version: 'v3' },
    })
    expect(byId.get(page[2]!.id)).toMatchObject({
      created: false,
      previous_data: { externalId: 'new', version: 'v9' },
    })
    expect(byId.get(page[3]!.id)).toMatchObject({ created: true, previous_data: null })
    expect(changed).toHaveLength(3)
  })
})
