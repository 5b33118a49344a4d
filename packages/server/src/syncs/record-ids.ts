import { parse as parseUuid, v5 as uuidv5 } from 'uuid'

/**
 * The namespace of record ids: UUIDv5("switchyard.dev/sync-records", URL namespace). Fixed
 * forever: changing it would give every record of every sync a new id.
 */
export const recordIdNamespace = 'c19d36a9-0dbd-5e06-8ca8-45070289bbbf'
// Parsed once: a page of 1,000 records would otherwise parse it 1,000 times (a third of the cost).
const namespaceBytes = parseUuid(recordIdNamespace)

/**
 * A record's id: UUIDv5 of the sync id and the source's external id, so it is the same across
 * runs, processes and re-imports. The sync id has a fixed length, so `syncId:externalId` cannot
 * collide for two different pairs.
 * @example recordId('0197…', 'drive-file-1') // '3ce16e33-0163-564d-…'
 */
export function recordId(syncId: string, externalId: string): string {
  return uuidv5(`${syncId.toLowerCase()}:${externalId}`, namespaceBytes)
}
