/**
 * A counting webhook receiver for bench/deliver-peers, run as its own process so its CPU is no
 * system's. Every POST is checked with standardwebhooks against the secret of its first path
 * segment, so a system that skips or botches signing shows up as `bad`, not as throughput.
 * Prints `{"port": n}` on stdout once listening.
 *
 *   POST /secrets        {"<key>": "whsec_…"}: the secret for paths under /<key>/
 *   POST /<key>/...      200 when the signature verifies, 401 otherwise
 *   GET  /stats          { ok, unique, bad, duplicates, latency }: ok counts every verified POST;
 *                        latency is {p50, p99, count} in ms from the event's acceptance to its
 *                        first receipt, read from the UUIDv7 event id the body carries (`id` or
 *                        `eventId`: its first 48 bits are the accepting server's clock), else null
 *   POST /reset          clears the counters (secrets stay)
 */
import http from 'node:http'
import { Webhook } from 'standardwebhooks'

const verifiers = new Map<string, Webhook>()
const seen = new Set<string>()
let ok = 0
let bad = 0
let duplicates = 0
const latencies: number[] = []

function latency() {
  if (latencies.length === 0) return null
  const sorted = latencies.toSorted((a, b) => a - b)
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
  return { p50: at(0.5), p99: at(0.99), count: sorted.length }
}

function verified(url: string, body: string, headers: http.IncomingHttpHeaders): boolean {
  const verifier = verifiers.get(url.split('/')[1] ?? '')
  if (!verifier) return false
  try {
    verifier.verify(body, headers as Record<string, string>)
    return true
  } catch {
    return false
  }
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/'
  if (req.method === 'GET') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ok, unique: seen.size, bad, duplicates, latency: latency() }))
    return
  }
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString()
    if (url === '/secrets') {
      for (const [key, secret] of Object.entries(JSON.parse(text) as Record<string, string>))
        verifiers.set(key, new Webhook(secret))
      res.writeHead(200).end()
      return
    }
    if (url === '/reset') {
      ok = bad = duplicates = 0
      seen.clear()
      latencies.length = 0
      res.writeHead(200).end()
      return
    }
    if (!verified(url, text, req.headers)) {
      bad++
      res.writeHead(401).end()
      return
    }
    const id = String(req.headers['webhook-id'])
    if (seen.has(id)) duplicates++
    else {
      seen.add(id)
      const eventId = /"(?:id|eventId)":"([0-9a-f]{8})-([0-9a-f]{4})-7/.exec(text)
      if (eventId) latencies.push(Date.now() - parseInt(eventId[1]! + eventId[2]!, 16))
    }
    ok++
    res.writeHead(200).end()
  })
})

server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number }
  process.stdout.write(JSON.stringify({ port: address.port }) + '\n')
})
process.on('SIGTERM', () => process.exit(0))
