import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { resolveEventFilter } from '../catalog/index.ts'
import { apiError } from '../errors.ts'
import { callerProject } from '../http/auth.ts'
import { isUuid } from '../ids.ts'
import { findProject } from '../projects/index.ts'
import type { Db } from '../store/index.ts'
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

// Proxies close idle streams after about a minute; a comment line keeps them open.
const heartbeatMs = 15_000
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
type Subscriber = (notice: Notice) => void

/**
 * The process's one LISTEN on the events channel, shared by every open stream. On PostgreSQL
 * NOTIFY crosses processes, so a stream on one API process sees events another one accepted.
 */
class EventFeed {
  private readonly db: Db
  private readonly subscribers = new Set<Subscriber>()
  private listening: Promise<() => Promise<void>> | null = null

  constructor(db: Db) {
    this.db = db
  }

  /** Resolves once the LISTEN is in place; returns the function that unsubscribes. */
  async subscribe(fn: Subscriber): Promise<() => void> {
    this.subscribers.add(fn)
    this.listening ??= this.db
      .listen(eventsChannel, (payload) => this.publish(payload))
      .catch((error: unknown) => {
        // The next stream tries again instead of every stream failing on a stale rejection.
        this.listening = null
        throw error
      })
    try {
      await this.listening
    } catch (error) {
      this.subscribers.delete(fn)
      throw error
    }
    return () => this.subscribers.delete(fn)
  }

  async close(): Promise<void> {
    this.subscribers.clear()
    const stop = await this.listening?.catch(() => null)
    this.listening = null
    await stop?.()
  }

  private publish(payload: string): void {
    const [projectId, fromId, throughId] = payload.split(':')
    if (!projectId || !fromId || !throughId) return
    for (const fn of this.subscribers) fn({ projectId, fromId, throughId })
  }
}

/** `GET /v1/events/stream`: the project's events as server-sent events, as they are accepted. */
export function eventStreamRoutes(deps: { db: Db }): FastifyPluginAsync {
  const { db } = deps
  return async (plugin) => {
    const app = typed(plugin)
    const feed = new EventFeed(db)
    // Open streams would hold the server's close forever; they end first.
    const streams = new Set<() => void>()
    app.addHook('preClose', async () => {
      for (const end of streams) end()
    })
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
        const end = await openEventStream({ db, feed }, stream, request, reply)
        streams.add(end)
        reply.raw.on('close', () => streams.delete(end))
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
  deps: { db: Db; feed: EventFeed },
  stream: StreamOptions,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<() => void> {
  const sendRange = rangeSender(deps.db, stream, reply.raw)
  let open!: () => void
  let queue = new Promise<void>((resolve) => (open = resolve))
  const enqueue = (work: () => Promise<void>) => {
    queue = queue
      .then(work)
      .catch((err: unknown) => request.log.warn({ err }, 'event stream write failed'))
  }
  if (stream.lastEventId) enqueue(() => sendRange(stream.lastEventId!, null, resumeLimit))
  // Subscribed before answering, so a LISTEN that fails still gets an ordinary error response.
  const unsubscribe = await deps.feed.subscribe((notice) => {
    if (notice.projectId === stream.projectId)
      enqueue(() => sendRange(notice.fromId, notice.throughId, Infinity))
  })
  reply.hijack()
  const raw = reply.raw
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': request.id,
  })
  raw.write(`event: ready\ndata: ${JSON.stringify(stream.ready)}\n\n`)
  open()
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), heartbeatMs)
  const close = () => {
    clearInterval(heartbeat)
    unsubscribe()
  }
  raw.on('close', close)
  if (raw.destroyed) close()
  return () => {
    close()
    raw.end()
  }
}

/**
 * Returns a function that writes the project's events in [fromId, throughId] page by page (the
 * range may hold other batches' events too: ids interleave across concurrent requests). Ids
 * already written are skipped, the Last-Event-ID among them.
 */
function rangeSender(db: Db, stream: StreamOptions, raw: FastifyReply['raw']) {
  const sent = new Set<string>(stream.lastEventId ? [stream.lastEventId] : [])
  const write = (row: EventRow) => {
    if (sent.has(row.id) || raw.destroyed) return
    sent.add(row.id)
    if (sent.size > rememberedIds) sent.delete(sent.values().next().value!)
    raw.write(`event: event\nid: ${row.id}\ndata: ${JSON.stringify(eventOut(row))}\n\n`)
  }
  return async (fromId: string, throughId: string | null, cap: number): Promise<void> => {
    let from = fromId
    for (let total = 0; total < cap && !raw.destroyed;) {
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
