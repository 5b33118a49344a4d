import type { FastifyRequest } from 'fastify'
import { apiError, type ErrorDetail } from '../errors.ts'
import { isUuid } from '../ids.ts'
import type { Db } from '../store/index.ts'
import { loadSync } from './access.ts'
import type { ConnectorRegistry } from './connectors/index.ts'
import { maxContentBytes, pushPage } from './pages.ts'
import { completeRun, failRun, startRun } from './runs.ts'
import {
  failInSchema,
  runCompletedOutSchema,
  runFailedOutSchema,
  idParams,
  pageInSchema,
  pageOutSchema,
  runOut,
  runOutSchema,
  runParams,
  syncOut,
} from './schemas.ts'
import { runTotals } from './store.ts'
import type { SyncEventDeps } from './sync-events.ts'
import { syncSummary } from './syncs.ts'
import { runTypes, type RecordIn } from './types.ts'
import type { TypedApp } from '../http/typed.ts'
import { emptyBodyAsObject } from '../http/optional-body.ts'

type RunRequest = FastifyRequest<{ Params: { id: string; runId: string } }>

interface RecordBody {
  externalId: string
  data: Record<string, unknown>
  name?: string
  mimeType?: string
  content?: string
}

// A page may carry a record with the largest content (base64 is 4/3 of it) and more besides.
const pageBodyLimit = Math.ceil((maxContentBytes * 4) / 3) + 16 * 1024 * 1024

const tags = ['sync runs']
const auth = { auth: { role: 'member' as const } }

/** The worker side: start a run, push pages, complete or fail it. */
export function registerRunRoutes(
  app: TypedApp,
  deps: SyncEventDeps & { db: Db; connectors: ConnectorRegistry },
): void {
  const q = deps.db.kysely
  /** The run's sync (404 outside the caller's project) and the run id (404 when malformed). */
  const runOf = async (request: RunRequest) => {
    const sync = await loadSync(q, request, request.params.id)
    if (!isUuid(request.params.runId))
      throw apiError('not_found', `No run ${request.params.runId}.`)
    return { syncId: sync.id, runId: request.params.runId }
  }

  app.post(
    '/v1/syncs/:id/runs',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Start a run (INITIAL, INCREMENTAL or FULL)',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['type'],
          properties: { type: { type: 'string', enum: runTypes } },
        },
        response: { 201: runOutSchema },
      },
    },
    async (request, reply) => {
      const sync = await loadSync(q, request, request.params.id)
      const run = await startRun(q, { syncId: sync.id, type: request.body.type, now: deps.now() })
      return reply.status(201).send(runOut(run))
    },
  )

  app.post(
    '/v1/syncs/:id/runs/:runId/records',
    {
      config: auth,
      bodyLimit: pageBodyLimit,
      schema: {
        tags,
        summary: 'Push a page of up to 1,000 record snapshots and record errors',
        params: runParams,
        body: pageInSchema,
        response: { 200: pageOutSchema },
      },
    },
    async (request) => {
      const ids = await runOf(request)
      const records = decodeRecords(request.body.records)
      return pushPage(q, deps, { ...ids, page: { records, errors: request.body.errors } })
    },
  )

  app.post(
    '/v1/syncs/:id/runs/:runId/complete',
    {
      config: auth,
      // The body is optional: a POST without one completes without a cursor. A JSON `null`
      // is a body, and is refused like any other non-object.
      preValidation: emptyBodyAsObject,
      schema: {
        tags,
        summary: 'Complete a run (FULL: tombstones unseen records; INITIAL: sync_complete)',
        params: runParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { cursor: { type: ['string', 'null'], maxLength: 10_000 } },
        },
        response: { 200: runCompletedOutSchema },
      },
    },
    async (request) => {
      const ids = await runOf(request)
      const done = await completeRun(q, deps, { ...ids, cursor: request.body.cursor ?? null })
      const totals = await runTotals(q, ids)
      return {
        run: { ...runOut(done.run), totals },
        sync: syncOut(done.sync, await syncSummary(q, done.sync), deps.connectors),
      }
    },
  )

  app.post(
    '/v1/syncs/:id/runs/:runId/fail',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Fail a run: permanent codes set ERRORED, transient ones retry with backoff',
        params: runParams,
        body: failInSchema,
        response: { 200: runFailedOutSchema },
      },
    },
    async (request) => {
      const ids = await runOf(request)
      const done = await failRun(q, deps, { ...ids, failure: request.body })
      return {
        run: runOut(done.run),
        failure: done.failure.kind,
        sync: syncOut(done.sync, await syncSummary(q, done.sync), deps.connectors),
      }
    },
  )
}

/**
 * Decodes base64 content, refusing content over the limit before decoding it (its size is
 * known from the text's length).
 */
function decodeRecords(records: RecordBody[]): RecordIn[] {
  const tooLarge: ErrorDetail[] = []
  records.forEach((r, i) => {
    if (r.content !== undefined && base64Size(r.content) > maxContentBytes)
      tooLarge.push({
        path: `/records/${i}/content`,
        message: `decodes to ${base64Size(r.content)} bytes; the limit is ${maxContentBytes}`,
      })
  })
  if (tooLarge.length > 0) throw apiError('content_too_large', undefined, tooLarge)
  return records.map(({ content, ...rest }) =>
    content === undefined ? rest : { ...rest, content: Buffer.from(content, 'base64') },
  )
}

function base64Size(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  return Math.floor((text.length * 3) / 4) - padding
}
