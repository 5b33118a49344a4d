import type { RecordRow } from './types.ts'

/*
 * A record as the read API shows it, in the shape of Paragon's published Synced Objects: the
 * record's fields at the top level, camelCase, no envelope. File
 * (https://docs.useparagon.com/managed-sync/api/file-schema): id, externalId, name, mimeType,
 * size, url, thumbnailUrl, createdAt, updatedAt, hash, parentFolderId. CRM Contact
 * (https://docs.useparagon.com/managed-sync/api/contact-schema) and Custom Object
 * (https://docs.useparagon.com/managed-sync/api/custom-object-schema) are flat the same way,
 * with `customFields` for what the schema does not map.
 *
 * Switchyard does not know each model's schema: the producer (a worker's page, a connector)
 * sends the record's fields as `data`, and they are put at the top level as sent. The fields the
 * read API owns come first and are never overwritten by a data key of the same name: `id` (our
 * UUID v5), `externalId`, `name`, `mimeType`, `size` (the page's own fields; `size` is the
 * content's length). After the data come what Switchyard adds beyond Paragon's schema:
 * `syncId`, `syncedAt`, and `metadata`, the data once more exactly as sent (the shape read
 * before issue #25, kept for its clients; Paragon's own example receiver types it too).
 */

/** Keys the read API owns: a data key with one of these names stays in `metadata` only. */
const ownKeys = new Set([
  'id',
  'externalId',
  'name',
  'mimeType',
  'size',
  'syncId',
  'syncedAt',
  'metadata',
  'deleted',
])

/**
 * A live record, or for a deleted one the sparse entry `{id, externalId, deleted: true}`.
 * The entry also carries `external_id`, the name Paragon's Managed Sync webhooks page gives it
 * ("a sparse entry with the id and external_id property"): the one snake_case field, kept so
 * receivers written from that sentence keep working.
 *
 * @example
 * recordOut(row)
 * // { id, externalId: '1Zp4kQ9xW2', name: 'plan.md', mimeType: 'text/markdown', size: 6,
 * //   parentFolderId: 'root', createdAt: '…', syncId, syncedAt: '…', metadata: {…} }
 */
export function recordOut(row: RecordRow): Record<string, unknown> {
  if (row.deleted)
    return { id: row.id, externalId: row.external_id, external_id: row.external_id, deleted: true }
  const data = row.data ?? {}
  const fields = Object.fromEntries(Object.entries(data).filter(([key]) => !ownKeys.has(key)))
  return {
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    mimeType: row.mime_type,
    size: row.size,
    ...fields,
    syncId: row.sync_id,
    syncedAt: row.synced_at.toISOString(),
    metadata: data,
  }
}

/**
 * The OpenAPI schema of a record. No `properties`: the response serializer would put declared
 * ones first and coerce a producer's field that shares a name to the declared type.
 */
export const recordOutSchema = {
  type: 'object',
  additionalProperties: true,
  description:
    "A synced record: id, externalId, name, mimeType, size, then the record's own fields as its producer sent them (Paragon's Synced Object fields: url, createdAt, updatedAt, parentFolderId…), then syncId, syncedAt and metadata (the same fields, nested). A deleted record is {id, externalId, external_id, deleted: true}.",
} as const
