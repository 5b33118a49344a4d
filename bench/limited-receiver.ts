/**
 * A rate-limited webhook receiver for bench/self-healing, in its own process. Prints
 * `{"port": n}` once listening.
 *
 *   POST /...     200 for the first `LIMIT` requests of each wall-clock second, then
 *                 429 with `Retry-After: 1`
 *   GET  /stats   { ok, rejected, okPerSecond: [count per second since the last reset] }
 *   POST /reset   clears the counters
 */
import http from 'node:http'

const limit = Number(process.env.LIMIT ?? 200)
let ok = 0
let rejected = 0
let window = 0
let inWindow = 0
let perSecond: number[] = []
let startedAt = Math.floor(Date.now() / 1000)

const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ ok, rejected, okPerSecond: perSecond }))
    return
  }
  req.resume()
  req.on('end', () => {
    if (req.url === '/reset') {
      ok = rejected = inWindow = 0
      perSecond = []
      startedAt = Math.floor(Date.now() / 1000)
      res.writeHead(200).end()
      return
    }
    const second = Math.floor(Date.now() / 1000)
    if (second !== window) {
      window = second
      inWindow = 0
    }
    if (++inWindow > limit) {
      rejected++
      res.writeHead(429, { 'retry-after': '1' }).end()
      return
    }
    ok++
    const slot = second - startedAt
    perSecond[slot] = (perSecond[slot] ?? 0) + 1
    res.writeHead(200).end()
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number }
  process.stdout.write(JSON.stringify({ port: address.port }) + '\n')
})
process.on('SIGTERM', () => process.exit(0))
