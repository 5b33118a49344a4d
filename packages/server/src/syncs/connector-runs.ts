import { type Queryable } from '../store/index.ts'
import { ApiError } from '../errors.ts'
import {
  ConnectorError,
  type Connector,
  type ConnectorContext,
  type ConnectorRecord,
} from './connectors/index.ts'
import { maxContentBytes, pushPage } from './pages.ts'
import { completeRun, failRun, startRun, type RunFailureIn } from './runs.ts'
import type { SyncEventDeps } from './sync-events.ts'
import type { RecordErrorIn, RecordIn, RunType, SyncRow } from './types.ts'

// A page is flushed once its content passes this, so a folder of large files never sits in
// memory (or in one transaction) at once.
const pageContentBudget = 32 * 1024 * 1024

/**
 * The run a due sync gets: INITIAL until one completed, FULL when the last full pass is older
 * than `full_every_seconds`, INCREMENTAL otherwise.
 * @example nextRunType(sync, new Date()) // 'INCREMENTAL'
 */
export function nextRunType(sync: SyncRow, now: Date): RunType {
  if (!sync.initial_completed_at) return 'INITIAL'
  const lastFull = (sync.last_full_at ?? sync.initial_completed_at).getTime()
  return now.getTime() - lastFull >= sync.full_every_seconds * 1000 ? 'FULL' : 'INCREMENTAL'
}

/**
 * Runs one pass of a built-in connector through the same run functions workers reach over
 * HTTP: start, a page per batch of records (content read here), complete; a failure fails the
 * run with the connector's code (unknown errors as `00000`).
 * @returns the run type, or null when the sync could not start a run now
 */
export async function runConnector(
  q: Queryable,
  deps: SyncEventDeps,
  connector: Connector,
  sync: SyncRow,
): Promise<RunType | null> {
  const type = nextRunType(sync, deps.now())
  const run = await startRun(q, { syncId: sync.id, type, now: deps.now() }).catch(skipRefusal)
  if (!run) return null
  const context = { syncId: sync.id, configuration: sync.configuration }
  try {
    const pass =
      type === 'INCREMENTAL'
        ? connector.listChanges(context, sync.latest_cursor)
        : connector.listAll(context)
    for await (const listed of pass.pages)
      for await (const page of withContent(connector, context, listed))
        await pushPage(q, deps, { syncId: sync.id, runId: run.id, page })
    await completeRun(q, deps, { syncId: sync.id, runId: run.id, cursor: pass.cursor() })
  } catch (error) {
    await failRun(q, deps, { syncId: sync.id, runId: run.id, failure: failureOf(error) }).catch(
      skipRefusal,
    )
  }
  return type
}

/** Reads each record's content; unreadable or oversized content becomes a `10005` record error. */
async function* withContent(
  connector: Connector,
  context: ConnectorContext,
  listed: ConnectorRecord[],
): AsyncIterable<{ records: RecordIn[]; errors: RecordErrorIn[] }> {
  let page = { records: [] as RecordIn[], errors: [] as RecordErrorIn[] }
  let bytes = 0
  for (const record of listed) {
    const content = await connector
      .readContent(context, record.externalId)
      .catch((error: unknown) => {
        page.errors.push({
          externalId: record.externalId,
          code: '10005',
          message: messageOf(error),
        })
        return null
      })
    if (!content) continue
    if (content.length > maxContentBytes) {
      const message = `The file is ${content.length} bytes; the content limit is ${maxContentBytes}.`
      page.errors.push({ externalId: record.externalId, code: '10005', message })
      continue
    }
    page.records.push({ ...record, content })
    bytes += content.length
    if (bytes < pageContentBudget) continue
    yield page
    page = { records: [], errors: [] }
    bytes = 0
  }
  if (page.records.length > 0 || page.errors.length > 0) yield page
}

function failureOf(error: unknown): RunFailureIn {
  if (error instanceof ConnectorError)
    return {
      code: error.code,
      message: error.message,
      ...(error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    }
  return { code: '00000', message: messageOf(error) }
}

/** The sync was disabled, errored or is running elsewhere meanwhile: not a failure of this pass. */
function skipRefusal(error: unknown): null {
  if (error instanceof ApiError && error.status === 409) return null
  if (error instanceof ApiError && error.code === 'not_found') return null
  throw error
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
