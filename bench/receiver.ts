/**
 * A webhook receiver for the delivery benches, run as its own process so it never shares an event
 * loop with the bench or the server. Prints `{"port": n}` on stdout once listening.
 *
 *   POST /ok/...     200 at once
 *   POST /hang/...   never answers (the sender's timeout ends it)
 *   POST /fault/...  fails some attempts, deterministic per (webhook-id, attempt): attempt 1 and 2
 *                    may answer 500, hang or reset the connection; attempt 3 on always succeeds
 *   POST /slow/...   200 after 200-1,200 ms (deterministic per webhook-id)
 *   GET  /stats      { ok, hung, failed, ... } counters
 *   GET  /records    [[eventId, destinationKey, webhookId, receivedAtMs], ...] of the 200s since the last reset
 *   GET  /dedupe     { pairs, duplicates, successes } — 2xx receipts by (webhook-id), by (event, destination)
 *   GET  /ids        { [webhookId]: 2xx receipts } since the last reset
 *   POST /reset      clears counters and records; body {"record": true} keeps each 200's record
 */
import { createHash } from 'node:crypto'
import http from 'node:http'

let record = false
let ok = 0
let hung = 0
let failed = 0
let reset = 0
let slow = 0
let records: [string, string, string, number][] = []
const attempts = new Map<string, number>()
/** 2xx receipts per `${eventId} ${destinationKey}`. */
const successes = new Map<string, number>()
const successIds = new Map<string, number>()
const hanging = new Set<http.ServerResponse>()

const now = () => performance.timeOrigin + performance.now()

function roll(webhookId: string, attempt: number): number {
  return createHash('sha1').update(`${webhookId}:${attempt}`).digest().readUInt16BE(0) / 65536
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/'
  if (req.method === 'GET') {
    let body: unknown
    if (url.startsWith('/stats'))
      body = { ok, hung, failed, reset, slow, hanging: hanging.size, attempts: attempts.size }
    else if (url.startsWith('/records')) body = records
    else if (url.startsWith('/dedupe')) {
      let duplicates = 0
      for (const n of successes.values()) duplicates += n - 1
      let idDuplicates = 0
      for (const n of successIds.values()) idDuplicates += n - 1
      body = { pairs: successes.size, duplicates, webhookIds: successIds.size, idDuplicates }
    } else if (url.startsWith('/pairs')) body = [...successes.keys()]
    else if (url.startsWith('/ids')) body = Object.fromEntries(successIds)
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    return
  }
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString()
    if (url === '/reset') {
      record = text.includes('"record":true')
      ok = hung = failed = reset = slow = 0
      records = []
      attempts.clear()
      successes.clear()
      successIds.clear()
      for (const r of hanging) r.destroy()
      hanging.clear()
      res.writeHead(200).end()
      return
    }
    const at = now()
    if (url.startsWith('/hang')) {
      hung++
      hanging.add(res)
      res.on('close', () => hanging.delete(res))
      return
    }
    const webhookId = String(req.headers['webhook-id'] ?? '')
    if (url.startsWith('/fault')) {
      const attempt = (attempts.get(webhookId) ?? 0) + 1
      attempts.set(webhookId, attempt)
      if (attempt <= 2) {
        const r = roll(webhookId, attempt)
        if (r < 0.1) {
          failed++
          res.writeHead(500).end('nope')
          return
        }
        if (r < 0.15) {
          hung++
          hanging.add(res)
          res.on('close', () => hanging.delete(res))
          return
        }
        if (r < 0.2) {
          reset++
          req.socket.destroy()
          return
        }
      }
    }
    if (url.startsWith('/slow')) {
      slow++
      setTimeout(() => succeed(req, res, url, webhookId, text, at), 200 + roll(webhookId, 0) * 1000)
      return
    }
    succeed(req, res, url, webhookId, text, at)
  })
})

function succeed(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: string,
  webhookId: string,
  text: string,
  at: number,
) {
  if (req.socket.destroyed) return
  ok++
  const eventId = /"id":"([^"]+)"/.exec(text)?.[1] ?? ''
  const dest = url.split('/')[2] ?? ''
  const pair = `${eventId} ${dest}`
  successes.set(pair, (successes.get(pair) ?? 0) + 1)
  successIds.set(webhookId, (successIds.get(webhookId) ?? 0) + 1)
  if (record) records.push([eventId, dest, webhookId, at])
  res.writeHead(200).end()
}

server.keepAliveTimeout = 60_000
server.headersTimeout = 0
server.requestTimeout = 0
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number }
  process.stdout.write(JSON.stringify({ port: address.port }) + '\n')
})
process.on('SIGTERM', () => process.exit(0))
