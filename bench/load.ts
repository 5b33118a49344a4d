/**
 * Open-loop load for the chaos suite and the soak: events (single POST /v1/events and batches)
 * and signed /hooks requests leave on schedule whether or not earlier ones were answered, so a
 * stall shows as latency and refusals instead of slowing the sender. Every answer is kept: the ids
 * of 202-accepted events, the sequence numbers of 200-answered hooks, and what was refused.
 *
 * @example
 * const load = startLoad(() => target, { eventsPerSecond: 100, batchSize: 10, batchShare: 0.5, hooksPerSecond: 20, tag: 'a' })
 * await sleep(10_000)
 * const result = await load.stop()
 */
import { createHmac } from 'node:crypto'
import { api, sleep } from './lib.ts'

export const hookSecret = 'chaos-hook-secret'
/** The trigger's routing reads this from the body; the credential's providerAccountId matches it. */
export const hookAccount = 'acct-chaos'

export interface LoadTarget {
  url: string
  apiKey: string
  /** `/hooks/<triggerId>` */
  hookPath: string
}

export interface LoadOptions {
  eventsPerSecond: number
  /** Events per POST /v1/events/batch. */
  batchSize: number
  /** Share of the events sent in batches (0 to 1); the rest go one per request. */
  batchShare: number
  hooksPerSecond: number
  /** Marks this run's events and hooks (record ids, hook `seq`). */
  tag: string
  /** A request unanswered this long counts as refused ('timeout'). (Default: 15 s) */
  timeoutMs?: number
}

/** [answered at (epoch ms), latency ms] */
export type Sample = [number, number]

export interface LoadResult {
  seconds: number
  acceptedEvents: string[]
  /** Event id to the epoch ms its request was scheduled (for ingest-to-received latency). */
  sentAt: Map<string, number>
  /** `seq` of every hook answered 200. */
  acceptedHooks: string[]
  refused: { events: Record<string, number>; hooks: Record<string, number> }
  /** Ingest requests (single and batch) answered 202. */
  ingestLatency: Sample[]
  hookLatency: Sample[]
}

export interface RunningLoad {
  /** Filled as answers arrive. */
  result: LoadResult
  stop: () => Promise<LoadResult>
}

const epochMs = () => performance.timeOrigin + performance.now()

/** Starts sending at once; `target()` is read per request, so a restarted API is followed. */
export function startLoad(target: () => LoadTarget, options: LoadOptions): RunningLoad {
  const result: LoadResult = {
    seconds: 0,
    acceptedEvents: [],
    sentAt: new Map(),
    acceptedHooks: [],
    refused: { events: {}, hooks: {} },
    ingestLatency: [],
    hookLatency: [],
  }
  const send = sender(target, options, result)
  const inFlight = new Set<Promise<void>>()
  const track = (p: Promise<void>) => {
    inFlight.add(p)
    void p.finally(() => inFlight.delete(p))
  }
  const singleRate = options.eventsPerSecond * (1 - options.batchShare)
  const batchRate = (options.eventsPerSecond * options.batchShare) / options.batchSize
  const sent = { single: 0, batch: 0, hook: 0 }
  let stopped = false
  const t0 = performance.now()
  const loop = (async () => {
    while (!stopped) {
      const elapsed = (performance.now() - t0) / 1000
      const at = epochMs()
      for (; sent.single < Math.floor(elapsed * singleRate); sent.single++)
        track(send.events(1, at))
      for (; sent.batch < Math.floor(elapsed * batchRate); sent.batch++)
        track(send.events(options.batchSize, at))
      for (; sent.hook < Math.floor(elapsed * options.hooksPerSecond); sent.hook++)
        track(send.hook(at))
      await sleep(10)
    }
  })()
  return {
    result,
    stop: async () => {
      stopped = true
      await loop
      result.seconds = (performance.now() - t0) / 1000
      while (inFlight.size > 0) await Promise.all([...inFlight])
      return result
    },
  }
}

function sender(target: () => LoadTarget, options: LoadOptions, result: LoadResult) {
  const timeoutMs = options.timeoutMs ?? 15_000
  let n = 0
  const refuse = (kind: 'events' | 'hooks', why: string) => {
    result.refused[kind][why] = (result.refused[kind][why] ?? 0) + 1
  }
  // A fetch that failed at the network level counts; anything else is a bug in this file.
  const failure = (error: unknown) => {
    if (error instanceof Error && error.name === 'TimeoutError') return 'timeout'
    if (error instanceof TypeError && error.message === 'fetch failed') return 'connection error'
    throw error
  }
  return {
    events: async (count: number, at: number) => {
      const { url, apiKey } = target()
      const batch = Array.from({ length: count }, () => recordEvent(`${options.tag}-${n++}`))
      const single = count === 1
      try {
        const res = await fetch(url + (single ? '/v1/events' : '/v1/events/batch'), {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(single ? batch[0] : { events: batch }),
          signal: AbortSignal.timeout(timeoutMs),
        })
        const text = await res.text()
        if (res.status !== 202) return refuse('events', String(res.status))
        const body = JSON.parse(text) as { id: string; data: { id: string }[] }
        const ids = single ? [body.id] : body.data.map((e) => e.id)
        for (const id of ids) {
          result.acceptedEvents.push(id)
          result.sentAt.set(id, at)
        }
        result.ingestLatency.push([epochMs(), epochMs() - at])
      } catch (error) {
        refuse('events', failure(error))
      }
    },
    hook: async (at: number) => {
      const { url, hookPath } = target()
      const seq = `${options.tag}:${n++}`
      const body = hookBody(seq)
      const signature = 'sha256=' + createHmac('sha256', hookSecret).update(body).digest('hex')
      try {
        const res = await fetch(url + hookPath, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'push',
            'x-hub-signature-256': signature,
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        })
        await res.arrayBuffer()
        if (res.status !== 200) return refuse('hooks', String(res.status))
        result.acceptedHooks.push(seq)
        result.hookLatency.push([epochMs(), epochMs() - at])
      } catch (error) {
        refuse('hooks', failure(error))
      }
    },
  }
}

function recordEvent(recordId: string) {
  return {
    type: 'record.created',
    userId: 'user_01JH448D13EX2BE1SC1GXVT05R',
    integration: 'googledrive',
    data: { syncId: '163a345e-2dd4-51ff-bcf5-7667de564bb0', model: 'files', recordId },
  }
}

/** A GitHub-style push body of about 1 KB; `seq` finds the stored request again. */
function hookBody(seq: string): string {
  return JSON.stringify({
    ref: 'refs/heads/main',
    seq,
    installation: { id: 1, account: hookAccount },
    repository: { id: 1296269, full_name: 'octocat/Hello-World' },
    padding: 'x'.repeat(800),
  })
}

/**
 * Readies a project for the load: a short retry schedule, one destination per URL (all event
 * types), a `github` trigger whose routing reads `installation.account`, and the credential it
 * routes to, so each hook becomes one `trigger.received` event delivered like any other.
 */
export async function prepareProject(
  server: { url: string; apiKey: string },
  options: { destinationUrls: string[]; timeoutMs: number; retrySchedule: number[] },
): Promise<{ hookPath: string; triggerId: string; destinationIds: string[] }> {
  const call = api(server.url, server.apiKey)
  await call('PUT', '/v1/settings', { retrySchedule: options.retrySchedule })
  const destinationIds: string[] = []
  for (const url of options.destinationUrls) {
    const d = await call<{ id: string }>('POST', '/v1/destinations', {
      url,
      events: ['*'],
      timeoutMs: options.timeoutMs,
    })
    destinationIds.push(d.id)
  }
  await call('PUT', '/v1/credentials/cred-chaos', {
    userId: 'user-chaos',
    integration: 'github',
    status: 'VALID',
    providerAccountId: hookAccount,
  })
  const trigger = await call<{ id: string }>('POST', '/v1/triggers', {
    integration: 'github',
    name: 'push',
    level: 'app',
    setup: { mode: 'manual' },
    verification: { preset: 'github', secrets: [hookSecret] },
    routing: { from: 'body', path: '$.installation.account' },
  })
  return { hookPath: `/hooks/${trigger.id}`, triggerId: trigger.id, destinationIds }
}

/** The p-th quantile (0..1) of the latencies, in ms; NaN when there are none. */
export function quantile(samples: Sample[], p: number): number {
  const sorted = samples.map((s) => s[1]).sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN
}
