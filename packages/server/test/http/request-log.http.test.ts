import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'

let server: TestServer
const entries: Record<string, unknown>[] = []

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) entries.push(JSON.parse(line))
      done()
    },
  })
  server = await startTestServer({ logger: pino({ level: 'info' }, sink) })
})
afterAll(() => server.close())

/** The log entries of one request, found by the id its answer carries. */
async function entriesOf(res: Response) {
  const id = res.headers.get('x-request-id')
  await res.arrayBuffer()
  // The line is written when the answer has been sent, a moment after the client has it.
  await waitFor(() => entries.some((e) => e.reqId === id), 10_000)
  return entries.filter((e) => e.reqId === id)
}

describe('request log', () => {
  it('writes one line per request with method, URL, status, duration and request id', async () => {
    const res = await fetch(`${server.url}/healthz`)
    expect(await entriesOf(res)).toEqual([
      {
        level: 30,
        time: expect.any(Number),
        pid: process.pid,
        hostname: expect.any(String),
        reqId: res.headers.get('x-request-id'),
        method: 'GET',
        url: '/healthz',
        status: 200,
        durationMs: expect.any(Number),
        msg: expect.stringMatching(/^GET \/healthz 200 \d+ ms$/),
      },
    ])
  })

  it('logs the URL with the values that grant access redacted', async () => {
    const res = await fetch(`${server.url}/hooks/nope?token=s3cret&hub.verify_token=s3cret`, {
      method: 'POST',
    })
    const logged = await entriesOf(res)
    expect(logged).toEqual([
      expect.objectContaining({
        url: '/hooks/nope?token=[redacted]&hub.verify_token=[redacted]',
        status: res.status,
      }),
    ])
    expect(JSON.stringify(logged)).not.toContain('s3cret')
  })

  it('writes one line for a route that does not exist', async () => {
    const res = await fetch(`${server.url}/v1/no-such-route`)
    expect(res.status).toBe(404)
    expect(await entriesOf(res)).toEqual([expect.objectContaining({ status: 404 })])
  })
})
