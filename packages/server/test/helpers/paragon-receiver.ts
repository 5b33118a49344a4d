import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

/*
 * A receiver written for Paragon's Managed Sync, as strict as Paragon's own example
 * (useparagon/managed-sync-s3-uploader: src/routes/webhooks.ts, src/services/syncManager.ts,
 * src/services/syncApi.ts), rewritten here for tests:
 * - `{"event":"webhook_verification"}` gets 200 before anything else is checked;
 * - any other body must carry `event`, `syncInstanceId` and `user.id`, or it gets 400;
 * - `sync_complete` pulls every record with the cursor API (`limit`, loop while
 *   `paging.remainingRecords > 0`, keep the previous cursor when a page gives none), deleted
 *   entries removed; `record_created` / `record_updated` read the one record and download its
 *   content when it has a MIME type; `record_deleted` drops it.
 * Calls to the Sync API carry an RS256 user token (`sub` = `user.id`) signed with its own key,
 * which the test registers with the project (`userTokens`).
 */

/** A record as the receiver keeps it: the read API's record, and its content when downloaded. */
export interface KeptRecord {
  record: Record<string, unknown>
  content: Buffer | null
}

export interface ParagonReceiver {
  /** `http://127.0.0.1:port/api/webhooks` */
  url: string
  /** What to register with `PUT /v1/settings {userTokens}`. */
  userTokens: { publicKey: string; audiences: string[] }
  /** Every body received, parsed, with the status answered. */
  received: { body: unknown; status: number }[]
  /** Bodies answered 400 for lacking event, syncInstanceId or user.id. */
  refused: unknown[]
  /** Each sync's records, by record id. */
  records: Map<string, Map<string, KeptRecord>>
  /** Each sync's last cursor, persisted after every page as the example receiver does. */
  cursors: Map<string, string>
  /** Errors the processing after a 200 ran into (the example logs them; tests assert none). */
  errors: unknown[]
  /** Answers every request with `status` (a receiver that is down), or strictly again (null). */
  down(status: number | null): void
  /** Pulls a sync's records from its persisted cursor, as on restart; returns what came. */
  catchUp(syncId: string, userId: string): Promise<Record<string, unknown>[]>
  /** Resolves when no processing started by a webhook is still running. */
  idle(): Promise<void>
  close(): Promise<void>
}

/**
 * Starts the receiver; it reads records from `apiUrl` (a Switchyard test server). Its tokens
 * are dated by `now`: the server's (injected) clock, as a real receiver's would agree with it.
 * @example const receiver = await startParagonReceiver({ apiUrl: server.url, audience, pageSize: 2, now })
 */
export async function startParagonReceiver(options: {
  apiUrl: string
  audience: string
  pageSize: number
  now: () => Date
}): Promise<ParagonReceiver> {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const token = (userId: string) =>
    signToken(keys.privateKey, { sub: userId, aud: options.audience }, options.now())
  const state = {
    received: [] as ParagonReceiver['received'],
    refused: [] as unknown[],
    records: new Map<string, Map<string, KeptRecord>>(),
    cursors: new Map<string, string>(),
    errors: [] as unknown[],
  }
  const running = new Set<Promise<void>>()
  let downStatus: number | null = null

  const syncApi = async (path: string, userId: string): Promise<Response> => {
    const res = await fetch(`${options.apiUrl}/v1${path}`, {
      headers: { authorization: `Bearer ${token(userId)}`, 'content-type': 'application/json' },
    })
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`)
    return res
  }
  const kept = (syncId: string) => {
    const map = state.records.get(syncId) ?? new Map<string, KeptRecord>()
    state.records.set(syncId, map)
    return map
  }
  const keep = async (syncId: string, userId: string, record: Record<string, unknown>) => {
    const id = String(record.id)
    if (record.deleted === true) {
      kept(syncId).delete(id)
      return
    }
    const content =
      typeof record.mimeType === 'string'
        ? Buffer.from(
            await (await syncApi(`/syncs/${syncId}/records/${id}/content`, userId)).arrayBuffer(),
          )
        : null
    kept(syncId).set(id, { record, content })
  }

  /** syncManager.processAllRecords: pages from the kept cursor until none remain. */
  const pullAll = async (syncId: string, userId: string): Promise<Record<string, unknown>[]> => {
    const pulled: Record<string, unknown>[] = []
    let hasMore = true
    while (hasMore) {
      const cursor = state.cursors.get(syncId)
      const query = `limit=${options.pageSize}${cursor ? `&cursor=${cursor}` : ''}`
      const page = (await (await syncApi(`/syncs/${syncId}/records?${query}`, userId)).json()) as {
        data: Record<string, unknown>[]
        paging: { cursor: string | null; remainingRecords: number }
      }
      if (page.paging.cursor) state.cursors.set(syncId, page.paging.cursor)
      hasMore = page.paging.remainingRecords > 0
      for (const record of page.data) await keep(syncId, userId, record)
      pulled.push(...page.data)
    }
    return pulled
  }

  const process = async (event: WebhookEvent): Promise<void> => {
    const { syncInstanceId: syncId, user } = event
    const recordId = event.data?.recordId
    switch (event.event) {
      case 'sync_complete':
        await pullAll(syncId, user.id)
        return
      case 'record_created':
      case 'record_updated': {
        if (!recordId) return
        const res = await syncApi(`/syncs/${syncId}/records/${recordId}`, user.id)
        await keep(syncId, user.id, ((await res.json()) as { data: Record<string, unknown> }).data)
        return
      }
      case 'record_deleted':
        if (recordId) kept(syncId).delete(recordId)
        return
    }
  }

  const answer = (body: unknown): number => {
    if (downStatus !== null) return downStatus
    if (!body || typeof body !== 'object') return 400
    const event = body as Partial<WebhookEvent>
    if (event.event === 'webhook_verification') return 200
    if (!event.event || !event.syncInstanceId || !event.user?.id) {
      state.refused.push(body)
      return 400
    }
    const work = process(event as WebhookEvent).catch((error: unknown) => {
      state.errors.push(error)
    })
    running.add(work)
    void work.finally(() => running.delete(work))
    return 200
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      let body: unknown = null
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {}
      const status = answer(body)
      state.received.push({ body, status })
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ success: status === 200 }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/api/webhooks`,
    userTokens: {
      publicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      audiences: [options.audience],
    },
    ...state,
    down: (status) => {
      downStatus = status
    },
    catchUp: (syncId, userId) => pullAll(syncId, userId),
    idle: async () => {
      while (running.size > 0) await Promise.allSettled([...running])
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** The Managed Sync webhook fields the receiver reads (its src/types/sync.ts). */
interface WebhookEvent {
  event: string
  syncInstanceId: string
  user: { id: string }
  data?: { recordId?: string; model?: string }
}

/** An RS256 JWT made with node:crypto, independently of the server's verifier. */
function signToken(privateKey: KeyObject, claims: { sub: string; aud: string }, at: Date): string {
  const now = Math.floor(at.getTime() / 1000)
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ ...claims, iat: now, exp: now + 600 })}`
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')
  return `${input}.${signature}`
}
