import type { FastifyPluginAsync } from 'fastify'
import { resolveEventFilter } from '../catalog/index.ts'
import { apiError } from '../errors.ts'
import { callerProject } from '../http/auth.ts'
import { sseStreams, type SseStream } from '../http/sse.ts'
import { isUuid } from '../ids.ts'
import { findProject } from '../projects/index.ts'
import { ListenFeed, type Db } from '../store/index.ts'
import { eventOut } from './schemas.ts'
import { listEventsInRange, type EventRow } from './store.ts'
import { eventStreamSchema } from '../http/responses.ts'
import { typed } from '../http/typed.ts'

/** Ingest NOTIFYs here once per accepted batch: `projectId:firstEventId:lastEventId`. */
export const eventsChannel = 'switchyard_events'

/** @example eventsNotice('0190…', rows) // '0190…:0192…a:0192…f' */
export function eventsNotice(projectId: string, events: readonly { id: string }[]): string {
  const ids = events.map((e) => e.id).sort()
  return `${projectId}:${ids[0]}:${ids.at(-1)}`
}

// A reconnecting client gets at most this many missed events (Last-Event-ID), in pages.
const resumeLimit = 10_000
const pageSize = 500
// Ids already written, so a batch announced twice (a resume overlapping a NOTIFY) is sent once.
const rememberedIds = 5_000

interface Notice {
  projectId: string
  fromId: string
  throughId: string
}

function parseNotice(payload: string): Notice | null {
  const [projectId, fromId, throughId] = payload.split(':')
  return projectId && fromId && throughId ? { projectId, fromId, throughId } : null
}

/** `GET /v1/events/stream`: the project's events as server-sent events, as they are accepted. */
export function eventStreamRoutes(deps: { db: Db }): FastifyPluginAsync {
  const { db } = deps
  return async (plugin) => {
    const app = typed(plugin)
    // The process's one LISTEN on the events channel, shared by every open stream.
    const feed = new ListenFeed(db, eventsChannel, parseNotice)
    const openSse = sseStreams(app)
    app.addHook('onClose', () => feed.close())

    app.get(
      '/v1/events/stream',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['events'],
          summary:
            'Server-sent events: each new event of the project (`event: event`, `id:` the event id; Last-Event-ID resumes)',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              types: {
                type: 'string',
                maxLength: 2000,
                description:
                  'Comma-separated event names (canonical or any wire format); all when absent.',
              },
            },
          },
          headers: {
            type: 'object',
            properties: {
              'last-event-id': {
                type: 'string',
                description: 'The id of the last event received: the stream resumes after it.',
              },
            },
          },
          response: { 200: eventStreamSchema },
        },
      },
      async (request, reply) => {
        const projectId = callerProject(request)
        const types = parseTypes(request.query.types)
        const project = await findProject(db.kysely, projectId)
        if (!project) throw apiError('not_found', 'This project no longer exists.')
        const lastEventId = request.headers['last-event-id'] ?? ''
        const stream = {
          projectId,
          types,
          lastEventId: isUuid(lastEventId) ? lastEventId : null,
          ready: { project: { id: project.id, name: project.name }, types },
        }
        await openEventStream({ db, feed }, stream, openSse(request, reply))
      },
    )
  }
}

/** @returns canonical types, or null for every type */
function parseTypes(value: string | undefined): string[] | null {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  if (names.length === 0) return null
  const resolved = resolveEventFilter(names)
  if (!resolved.ok)
    throw apiError(
      'unknown_event_type',
      `Unknown event ${resolved.unknown.map((name) => `"${name}"`).join(', ')}; GET /v1/event-types lists the types.`,
    )
  return resolved.types === '*' ? null : resolved.types
}

interface StreamOptions {
  projectId: string
  types: string[] | null
  lastEventId: string | null
  /** The `ready` event's data: the project (clients render with its name) and the types. */
  ready: unknown
}

/**
 * Writes `ready`, then the events after Last-Event-ID, then each announced batch, one at a time
 * so events go out in order. Notices that arrive meanwhile wait behind the resume.
 */
async function openEventStream(
  deps: { db: Db; feed: ListenFeed<Notice> },
  stream: StreamOptions,
  sse: SseStream,
): Promise<void> {
  const sendRange = rangeSender(deps.db, stream, sse)
  if (stream.lastEventId) sse.enqueue(() => sendRange(stream.lastEventId!, null, resumeLimit))
  // Subscribed before answering, so a LISTEN that fails still gets an ordinary error response.
  const unsubscribe = await deps.feed.subscribeListening((notice) => {
    if (notice.projectId === stream.projectId)
      sse.enqueue(() => sendRange(notice.fromId, notice.throughId, Infinity))
  })
  sse.open(stream.ready, unsubscribe)
}

/**
 * Returns a function that writes the project's events in [fromId, throughId] page by page (the
 * range may hold other batches' events too: ids interleave across concurrent requests). Ids
 * already written are skipped, the Last-Event-ID among them.
 */
function rangeSender(db: Db, stream: StreamOptions, sse: SseStream) {
  const sent = new Set<string>(stream.lastEventId ? [stream.lastEventId] : [])
  const write = (row: EventRow) => {
    if (sent.has(row.id)) return
    sent.add(row.id)
    if (sent.size > rememberedIds) sent.delete(sent.values().next().value!)
    sse.send('event', eventOut(row), row.id)
  }
  return async (fromId: string, throughId: string | null, cap: number): Promise<void> => {
    let from = fromId
    for (let total = 0; total < cap && !sse.closed;) {
      const rows = await listEventsInRange(db.kysely, {
        projectId: stream.projectId,
        types: stream.types,
        fromId: from,
        throughId,
        limit: pageSize,
      })
      rows.forEach(write)
      total += rows.length
      const last = rows.at(-1)
      // The next page starts at this page's last id (inclusive; `sent` skips it).
      if (!last || rows.length < pageSize) return
      from = last.id
    }
  }
}
