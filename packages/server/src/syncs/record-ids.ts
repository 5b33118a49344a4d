import { hash } from 'node:crypto'
import { parse as parseUuid } from 'uuid'

/**
 * The namespace of record ids: UUIDv5("switchyard.dev/sync-records", URL namespace). Fixed
 * forever: changing it would give every record of every sync a new id.
 */
export const recordIdNamespace = 'c19d36a9-0dbd-5e06-8ca8-45070289bbbf'
const namespaceBytes = Buffer.from(parseUuid(recordIdNamespace))

/**
 * A record's id: UUIDv5 of the sync id and the source's external id, so it is the same across
 * runs, processes and re-imports. The sync id has a fixed length, so `syncId:externalId` cannot
 * collide for two different pairs.
 * @example recordId('0197…', 'drive-file-1') // '3ce16e33-0163-564d-…'
 */
export function recordId(syncId: string, externalId: string): string {
  // RFC 9562 §5.5 by hand rather than uuid's v5(): that one builds a Hash object and validates
  // its own output per call, and a page of 1,000 records spent a tenth of its server time there
  // (bench/sync). The tests hold this to uuid's v5 for the same names.
  const name = Buffer.from(`${syncId.toLowerCase()}:${externalId}`)
  const hex = hash('sha1', Buffer.concat([namespaceBytes, name]))
  // Version 5 in the high nibble of byte 6; variant 10 in the top bits of byte 8.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
