import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTrigger, inboundConfig, inboundRequests, sendHook } from '../inbound/helpers.ts'
import { jsonPathValues } from '../../src/inbound/values.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'

/*
 * Issue 24, item 4: one project's custom code stalled everyone's. 40 requests to one project's
 * memory-hungry trigger delayed another project's /hooks answer from 0.03 s to 26.8 s, because
 * all custom code ran on one thread behind one FIFO. Now projects are served in turn and each
 * may have only so many runs waiting: past that, its requests get 503 with Retry-After.
 *
 * One sandbox thread and a queue of 4 per project here, so that the flood is small (kind to a
 * 2-core machine) and the order is forced: B can only be answered early by going ahead of A.
 */

// QuickJS cannot interrupt this allocation loop: each run holds its thread until the hard
// deadline ends it (time limit + grace), then a fresh thread starts.
const hungry =
  'function verify() { const a = []; while (true) a.push("x".repeat(1 << 20) + a.length) }'
const flood = 12
const queueBound = 4

let server: TestServer
let a: { projectId: string; apiKey: string }
let b: { projectId: string; apiKey: string }
beforeAll(async () => {
  server = await startTestServer({
    config: { ...inboundConfig, sandboxThreads: 1, sandboxQueue: queueBound },
  })
  a = await server.createProject('A, floods its own trigger')
  b = await server.createProject('B, innocent')
})
afterAll(() => server.close())

describe('custom code under one tenant’s flood', () => {
  it("answers another project's request before the flood drains; the flood's overflow gets 503 and is stored", async () => {
    const triggerA = await createTrigger(server, a.apiKey, { verification: { code: hungry } })
    const triggerB = await createTrigger(server, b.apiKey, {
      verification: { code: 'function verify(request) { return request.body === "b" }' },
    })
    // The sandbox thread is up before the flood starts (its start-up is not the point here).
    expect((await sendHook(server, triggerB.id, { body: 'b' })).status).toBe(200)

    const answers: { status: number; retryAfter: string | null; code: string }[] = []
    const sent = Array.from({ length: flood }, () =>
      sendHook(server, triggerA.id, { body: 'a' }).then((res) => {
        const code = (JSON.parse(res.text) as { error?: { code: string } }).error?.code ?? ''
        answers.push({ status: res.status, retryAfter: res.headers.get('retry-after'), code })
      }),
    )
    // A's queue is full once the first overflow is turned away (before: never; all 12 queued).
    await waitFor(() => answers.some((answer) => answer.status === 503), 15_000)

    const answerB = await sendHook(server, triggerB.id, { body: 'b' })
    const outstandingA = flood - answers.length
    expect(answerB.status).toBe(200)
    // B went ahead of A's backlog: A still had requests waiting when B was answered.
    expect(outstandingA).toBeGreaterThan(0)

    await Promise.all(sent)
    const overflow = answers.filter((answer) => answer.status === 503)
    const ran = answers.filter((answer) => answer.status !== 503)
    expect(overflow.length).toBeGreaterThanOrEqual(1)
    // At most one running and `queueBound` waiting at any moment; the rest ran as slots freed.
    expect(ran.length).toBeGreaterThanOrEqual(1 + queueBound)
    for (const answer of overflow) {
      expect(answer.code).toBe('sandbox_busy')
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1)
    }
    // The ones that ran hit the hard deadline: the code's own fault, 500.
    for (const answer of ran)
      expect(answer).toMatchObject({ status: 500, code: 'custom_code_failed' })

    // Every request is stored; the overflow as an error with why, and the 503 it was answered.
    const logged = await inboundRequests(server, a.apiKey, triggerA.id)
    expect(logged).toHaveLength(flood)
    const busy = logged.filter((row) => row.responseStatus === 503)
    expect(busy).toHaveLength(overflow.length)
    for (const row of busy)
      expect(row).toMatchObject({
        outcome: 'error',
        reason: expect.stringMatching(/sandbox is busy/),
      })
    const [latestB] = await inboundRequests(server, b.apiKey, triggerB.id)
    expect(latestB.responseStatus).toBe(200)
  })

  it('still serves the flooding project once its backlog has drained', async () => {
    const trigger = await createTrigger(server, a.apiKey, {
      verification: { code: 'function verify() { return true }' },
    })
    expect((await sendHook(server, trigger.id, { body: 'a' })).status).toBe(200)
  })
})

/** A generic-HMAC trigger whose signature is found with `regex`. */
const hmacWith = (regex: string) => ({
  verification: {
    preset: 'hmac',
    algorithm: 'sha256',
    encoding: 'hex',
    content: '{body}',
    signature: { header: 'x-sig', regex },
    secrets: ['s'],
  },
})

describe("a project's regex over anyone's input", () => {
  it('runs in linear time: a catastrophic pattern cannot hold the server', async () => {
    // Backtracking took 19 s for 28 characters here; 64 would take centuries.
    const trigger = await createTrigger(server, a.apiKey, hmacWith('^(a+)+$'))
    const evil = sendHook(server, trigger.id, { headers: { 'x-sig': 'a'.repeat(64) + '!' } })
    const other = await server.api('GET', '/healthz')
    expect(other.status).toBe(200)
    expect((await evil).status).toBe(401)
  })

  it('refuses at save a pattern that needs backtracking (backreference, lookaround)', async () => {
    for (const regex of ['(a)\\1', 'v1=(?=[0-9a-f])([0-9a-f]+)']) {
      const res = await server.api('POST', '/v1/triggers', {
        key: a.apiKey,
        body: { integration: 'custom', name: 'event', level: 'app', ...hmacWith(regex) },
      })
      expect(res.status, regex).toBe(400)
      expect(res.body.error.details).toEqual([
        { path: '/verification/signature/regex', message: expect.stringMatching(/linear time/) },
      ])
    }
  })
})

describe("a project's JSONPath over anyone's body", () => {
  it('may descend recursively once: more multiplies the work by the depth', async () => {
    const path = '$..*..*..*'
    for (const body of [
      { routing: { from: 'body', path } },
      { verification: { ...hmacWith('v1=(.+)').verification, signature: { bodyPath: path } } },
    ]) {
      const res = await server.api('POST', '/v1/triggers', {
        key: a.apiKey,
        body: { integration: 'custom', name: 'event', level: 'app', ...body },
      })
      expect(res.status).toBe(400)
      expect(res.body.error.details).toEqual([
        { path: expect.stringMatching(/path$|bodyPath$/), message: expect.stringMatching(/once/) },
      ])
    }
    // A path stored before the limit finds nothing rather than walk the body for seconds.
    let deep: unknown = 'x'
    for (let i = 0; i < 20; i++) deep = { a: deep, b: [1, 2, 3] }
    expect(jsonPathValues(path, Array(500).fill(deep))).toEqual([])
    expect(jsonPathValues('$..b[0]', [deep])).toHaveLength(20)
  })
})
