import type { FastifyPluginAsync } from 'fastify'
import { callerProject } from '../http/auth.ts'
import { typed } from '../http/typed.ts'
import type { Db } from '../store/index.ts'
import { readBacklog } from './metrics-store.ts'
import {
  attemptLatency,
  countWindow,
  firstSuccessLatency,
  type LatencyRow,
  type WindowFilter,
  type WindowRow,
} from './stats-store.ts'

const windows = { '1h': 3_600_000, '24h': 86_400_000 } as const
type WindowName = keyof typeof windows

const latencySchema = {
  type: 'object',
  required: ['count', 'p50', 'p95'],
  properties: {
    count: { type: 'integer' },
    p50: { type: ['number', 'null'] },
    p95: { type: ['number', 'null'] },
  },
} as const

const windowSchema = {
  type: 'object',
  required: ['deliveries', 'successRate', 'attemptMs', 'firstSuccessMs'],
  properties: {
    deliveries: {
      type: 'object',
      description: 'Deliveries created in the window, by their status now.',
      required: ['total', 'succeeded', 'failed', 'retrying', 'pending', 'held', 'coalesced'],
      properties: Object.fromEntries(
        ['total', 'succeeded', 'failed', 'retrying', 'pending', 'held', 'coalesced'].map((k) => [
          k,
          { type: 'integer' },
        ]),
      ),
    },
    successRate: {
      type: ['number', 'null'],
      description: 'Succeeded over succeeded + failed + retrying; null when none was tried.',
    },
    attemptMs: {
      ...latencySchema,
      description: "Every attempt's own duration (connect, send, answer), retries included.",
    },
    firstSuccessMs: {
      ...latencySchema,
      description:
        'From the delivery created (its event accepted) to the end of its first successful attempt; replays do not count.',
    },
  },
} as const

const windowsSchema = {
  type: 'object',
  required: ['1h', '24h'],
  properties: { '1h': windowSchema, '24h': windowSchema },
} as const

export const statsOutSchema = {
  type: 'object',
  required: ['generatedAt', 'windows', 'backlog', 'destinations'],
  properties: {
    generatedAt: { type: 'string', format: 'date-time' },
    windows: windowsSchema,
    backlog: {
      type: 'object',
      required: ['pending', 'due', 'held', 'oldestDueSeconds'],
      properties: {
        pending: { type: 'integer' },
        due: { type: 'integer' },
        held: { type: 'integer' },
        oldestDueSeconds: { type: 'number' },
      },
    },
    destinations: {
      type: 'array',
      description: 'Each destination with deliveries in the last 24 h.',
      items: {
        type: 'object',
        required: ['destinationId', 'windows'],
        properties: { destinationId: { type: 'string', format: 'uuid' }, windows: windowsSchema },
      },
    },
  },
} as const

interface WindowOut {
  deliveries: Omit<WindowRow, 'destination_id'>
  successRate: number | null
  attemptMs: { count: number; p50: number | null; p95: number | null }
  firstSuccessMs: { count: number; p50: number | null; p95: number | null }
}

const emptyCounts = {
  total: 0,
  succeeded: 0,
  failed: 0,
  retrying: 0,
  pending: 0,
  held: 0,
  coalesced: 0,
}

/** `GET /v1/stats`: a project's delivery figures over the last hour and day, and its backlog. */
export function statsRoutes(deps: { db: Db; now: () => Date }): FastifyPluginAsync {
  const { db, now } = deps
  return async (plugin) => {
    const app = typed(plugin)
    app.get(
      '/v1/stats',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['deliveries'],
          summary: "The project's delivery figures: last hour, last day, and its backlog",
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { destinationId: { type: 'string', format: 'uuid' } },
          },
          response: { 200: statsOutSchema },
        },
      },
      async (request) => {
        const projectId = callerProject(request)
        const at = now()
        const destinationId = request.query.destinationId ?? null
        const figures = {} as Record<WindowName, Map<string | null, WindowOut>>
        for (const name of Object.keys(windows) as WindowName[]) {
          const filter: WindowFilter = {
            projectId,
            destinationId,
            since: new Date(at.getTime() - windows[name]),
          }
          figures[name] = windowFigures(
            await countWindow(db.kysely, filter),
            await attemptLatency(db.kysely, filter),
            await firstSuccessLatency(db.kysely, filter),
          )
        }
        const [backlog] = await readBacklog(db.kysely, at, projectId)
        const day = figures['24h']
        const pick = (name: WindowName, id: string | null) =>
          figures[name].get(id) ?? windowOut(undefined, undefined, undefined)
        return {
          generatedAt: at.toISOString(),
          windows: { '1h': pick('1h', null), '24h': pick('24h', null) },
          backlog: {
            pending: backlog?.pending ?? 0,
            due: backlog?.due ?? 0,
            held: backlog?.held ?? 0,
            oldestDueSeconds: backlog?.oldest_due_seconds ?? 0,
          },
          destinations: [...day.keys()]
            .filter((id): id is string => id !== null)
            .sort()
            .map((id) => ({
              destinationId: id,
              windows: { '1h': pick('1h', id), '24h': pick('24h', id) },
            })),
        }
      },
    )
  }
}

function windowFigures(
  counts: WindowRow[],
  attempts: LatencyRow[],
  firstSuccess: LatencyRow[],
): Map<string | null, WindowOut> {
  const byId = <T extends { destination_id: string | null }>(rows: T[]) =>
    new Map(rows.map((row) => [row.destination_id, row]))
  const a = byId(attempts)
  const f = byId(firstSuccess)
  const out = new Map<string | null, WindowOut>()
  for (const row of counts)
    out.set(
      row.destination_id,
      windowOut(row, a.get(row.destination_id), f.get(row.destination_id)),
    )
  return out
}

function windowOut(
  counts: WindowRow | undefined,
  attempts: LatencyRow | undefined,
  firstSuccess: LatencyRow | undefined,
): WindowOut {
  const deliveries = { ...emptyCounts }
  if (counts)
    for (const key of Object.keys(emptyCounts) as (keyof typeof emptyCounts)[])
      deliveries[key] = counts[key]
  const tried = deliveries.succeeded + deliveries.failed + deliveries.retrying
  const latency = (row: LatencyRow | undefined) => ({
    count: row?.count ?? 0,
    p50: row?.p50 ?? null,
    p95: row?.p95 ?? null,
  })
  return {
    deliveries,
    successRate: tried === 0 ? null : deliveries.succeeded / tried,
    attemptMs: latency(attempts),
    firstSuccessMs: latency(firstSuccess),
  }
}
