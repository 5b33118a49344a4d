import { apiError } from '../errors.ts'
import type { Queryable } from '../store/index.ts'
import { countRecords, listRecords } from './record-store.ts'
import { recordOut } from './record-shapes.ts'

/** `GET /v1/syncs/:id/records` paging, as Paragon's Managed Sync API answers it. */
export interface RecordsPaging {
  totalRecords: number
  totalActiveRecords: number
  remainingRecords: number
  cursor: string
  /** When the last record of the page changed (epoch ms); null for an empty page. */
  lastSeen: number | null
}

/**
 * Cursors are a position in the sync's change feed, written like Paragon's (`cursor:121`,
 * base64): the change number of the last record a page returned.
 * @example encodeRecordsCursor(121) // 'Y3Vyc29yOjEyMQ=='
 */
export function encodeRecordsCursor(seq: number): string {
  return Buffer.from(`cursor:${seq}`).toString('base64')
}

/** @throws invalid_cursor for text this API did not hand out */
export function decodeRecordsCursor(cursor: string | undefined): number {
  if (!cursor) return 0
  const match = /^cursor:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64').toString())
  if (!match) throw apiError('invalid_cursor')
  return Number(match[1])
}

/**
 * One page of the change feed: records (deleted ones as sparse tombstones) in the order they
 * last changed. A client that keeps the last `paging.cursor` and asks again later gets exactly
 * what changed since; `remainingRecords` 0 means it is caught up.
 * @example await readRecordsPage(db.kysely, syncId, { pageSize: 100, cursor: undefined })
 */
export async function readRecordsPage(
  q: Queryable,
  syncId: string,
  options: { pageSize: number; cursor: string | undefined },
): Promise<{ data: Record<string, unknown>[]; paging: RecordsPaging }> {
  const afterSeq = decodeRecordsCursor(options.cursor)
  const rows = await listRecords(q, { syncId, afterSeq, limit: options.pageSize })
  const last = rows.at(-1)
  const lastSeq = last ? last.seq : afterSeq
  const counts = await countRecords(q, syncId, lastSeq)
  return {
    data: rows.map(recordOut),
    paging: {
      totalRecords: counts.total,
      totalActiveRecords: counts.active,
      remainingRecords: counts.remaining,
      cursor: encodeRecordsCursor(lastSeq),
      lastSeen: last ? last.synced_at.getTime() : null,
    },
  }
}
