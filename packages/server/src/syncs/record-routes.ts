import { apiError } from '../errors.ts'
import { isUuid } from '../ids.ts'
import type { Db } from '../store/index.ts'
import { loadSync } from './access.ts'
import { readRecordsPage } from './read-api.ts'
import { findContent, findRecord } from './record-store.ts'
import { recordOut, recordOutSchema } from './record-shapes.ts'
import { idParams, recordParams } from './schemas.ts'
import type { RecordRow } from './types.ts'
import type { TypedApp } from '../http/typed.ts'
import { sendBytes } from '../http/responses.ts'

const tags = ['sync records']
const auth = { auth: { role: 'viewer' as const, allowUserToken: true } }

/**
 * The read API, wire-compatible with Paragon's Managed Sync API (Pull Synced Records, Get
 * Synced Record, Download Content): code written against it works with another base URL.
 */
export function registerRecordRoutes(app: TypedApp, deps: { db: Db }): void {
  const q = deps.db.kysely
  const liveRecord = async (syncId: string, id: string): Promise<RecordRow> => {
    const row = isUuid(id) ? await findRecord(q, syncId, id) : null
    if (!row || row.deleted) throw apiError('not_found', `No record ${id} in this sync.`)
    return row
  }

  app.get(
    '/v1/syncs/:id/records',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Pull synced records in change order (deleted ones as sparse entries)',
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            pageSize: { type: 'integer', minimum: 1, maximum: 1000, description: 'Default 100.' },
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: 1000,
              description: 'Alias of pageSize.',
            },
            cursor: {
              type: 'string',
              maxLength: 200,
              description: 'paging.cursor of a previous page.',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['data', 'paging'],
            properties: {
              data: { type: 'array', items: recordOutSchema },
              paging: {
                type: 'object',
                properties: {
                  totalRecords: { type: 'integer' },
                  totalActiveRecords: { type: 'integer' },
                  remainingRecords: { type: 'integer' },
                  cursor: { type: 'string' },
                  lastSeen: { type: ['integer', 'null'] },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const sync = await loadSync(q, request, request.params.id)
      const { pageSize, limit, cursor } = request.query
      return readRecordsPage(q, sync.id, { pageSize: pageSize ?? limit ?? 100, cursor })
    },
  )

  app.get(
    '/v1/syncs/:id/records/:recordId',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Get one synced record (404 once deleted)',
        params: recordParams,
        response: {
          200: { type: 'object', required: ['data'], properties: { data: recordOutSchema } },
        },
      },
    },
    async (request) => {
      const sync = await loadSync(q, request, request.params.id)
      return { data: recordOut(await liveRecord(sync.id, request.params.recordId)) }
    },
  )

  app.get(
    '/v1/syncs/:id/records/:recordId/content',
    {
      config: auth,
      schema: {
        tags,
        summary: "Download a record's content, with its MIME type",
        params: recordParams,
        response: {
          200: {
            description: "The record's bytes; Content-Type is its MIME type.",
            content: {
              'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const sync = await loadSync(q, request, request.params.id)
      const record = await liveRecord(sync.id, request.params.recordId)
      const content = await findContent(q, record.id)
      if (!content) throw apiError('not_found', `Record ${record.id} has no content.`)
      return sendBytes(reply.type(record.mime_type ?? 'application/octet-stream'), content)
    },
  )
}
