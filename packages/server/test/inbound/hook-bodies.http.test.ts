import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawRequest, type RawAnswer } from '../helpers/raw-http.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { createTrigger, inboundConfig, inboundRequests, sendHook } from './helpers.ts'

/*
 * /hooks reads a body only for a trigger that exists, no further than that trigger's limit, and
 * only while the process's budget of body bytes in flight allows. Each test announces a body
 * and sends part of it: an answer that arrives before the rest proves the server did not wait.
 */

const budgetBytes = 100_000

let server: TestServer
let key: string

beforeAll(async () => {
  server = await startTestServer({
    config: { ...inboundConfig, hookBodyBytesInFlight: budgetBytes, requestTimeoutMs: 20_000 },
  })
  ;({ apiKey: key } = await server.createProject())
})
afterAll(() => server?.close())

const head = (triggerId: string, headers: string) =>
  `POST /hooks/${triggerId} HTTP/1.1\r\nhost: x\r\ncontent-type: application/octet-stream\r\n${headers}\r\n`

describe('an unknown trigger', () => {
  it('is answered 404 while the client is still sending a large body', async () => {
    const exchange = rawRequest(
      server.url,
      head('01900000-0000-7000-8000-00000000abcd', `content-length: ${10 * 1024 * 1024}\r\n`),
    )
    exchange.send(Buffer.alloc(64 * 1024, 'a'))
    // The other 10 MiB never come: the old route buffered the whole body before looking.
    const answer = await exchange.answer
    expect(answer?.status).toBe(404)
    expect(JSON.parse(answer!.body).error.code).toBe('not_found')
    expect(answer?.headers.connection).toBe('close')
    await exchange.closed
  })

  it('answers an id that is no uuid the same way', async () => {
    const exchange = rawRequest(server.url, head('not-a-trigger', 'content-length: 5000000\r\n'))
    expect((await exchange.answer)?.status).toBe(404)
    exchange.close()
  })
})

describe("the trigger's body limit", () => {
  it('cuts a body off one chunk past the limit with 413, and logs it as too large', async () => {
    const trigger = await createTrigger(server, key, { bodyLimitBytes: 1024 })
    const exchange = rawRequest(server.url, head(trigger.id, 'content-length: 1048576\r\n'))
    exchange.send(Buffer.alloc(4096, 'b'))
    const answer = await exchange.answer
    expect(answer?.status).toBe(413)
    expect(JSON.parse(answer!.body).error.code).toBe('payload_too_large')
    expect(answer?.headers.connection).toBe('close')
    const [logged] = await inboundRequests(server, key, trigger.id)
    expect(logged).toMatchObject({ outcome: 'rejected', responseStatus: 413 })
    expect(logged.reason).toMatch(/^body of \d+ bytes is over the limit of 1024$/)
  })

  it('cuts off a chunked body the same way', async () => {
    const trigger = await createTrigger(server, key, { bodyLimitBytes: 1024 })
    const exchange = rawRequest(server.url, head(trigger.id, 'transfer-encoding: chunked\r\n'))
    for (let i = 0; i < 3; i++) exchange.send(`400\r\n${'c'.repeat(1024)}\r\n`)
    // No terminating chunk: the body is endless as far as the server knows.
    expect((await exchange.answer)?.status).toBe(413)
    exchange.close()
  })

  it('takes a body at the limit whole, over several chunks', async () => {
    const trigger = await createTrigger(server, key, { bodyLimitBytes: 300_000 })
    const body = Buffer.alloc(300_000, 'd')
    const res = await sendHook(server, trigger.id, { body })
    expect(res.status).toBe(200)
    const [logged] = await inboundRequests(server, key, trigger.id)
    expect(['accepted', 'routed']).toContain(logged.outcome)
    expect(logged.bodySize).toBe(body.length)
  })
})

describe('body bytes in flight', () => {
  const small = async (triggerId: string) =>
    (
      await fetch(`${server.url}/hooks/${triggerId}`, {
        method: 'POST',
        body: new Uint8Array(20_000),
      })
    ).status

  /**
   * A sender that holds `sent` bytes of a `declared`-byte body; `until` is polled, and a holder
   * that another request beat to the budget (answered 503) is started again.
   */
  async function holdWhile(
    triggerId: string,
    bytes: { declared: number; sent: number },
    until: () => Promise<boolean>,
  ) {
    let holder: ReturnType<typeof rawRequest> | null = null
    let answered = false
    await waitFor(async () => {
      if (!holder || answered) {
        answered = false
        const next = rawRequest(
          server.url,
          head(triggerId, `content-length: ${bytes.declared}\r\n`),
          {
            warmUp: true,
          },
        )
        void next.answer.then(() => next === holder && (answered = true))
        next.send(Buffer.alloc(bytes.sent, ' '))
        await next.sent
        holder = next
      }
      return ((await until()) && !answered) || undefined
    }, 10_000)
    return holder!
  }

  it('answers 503 server_busy with Retry-After before reading once the budget is spent, and recovers', async () => {
    const trigger = await createTrigger(server, key, {})
    // A sender holds 110 kB of a 150 kB body: the 100 kB budget is spent.
    const slow = await holdWhile(trigger.id, { declared: 150_000, sent: 110_000 }, async () => {
      return (await small(trigger.id)) === 503
    })
    // Headers only: the answer comes without a byte of the body.
    const refused = rawRequest(server.url, head(trigger.id, 'content-length: 20000\r\n'))
    const answer = await refused.answer
    refused.close()
    expect(answer?.status).toBe(503)
    expect(JSON.parse(answer!.body).error.code).toBe('server_busy')
    expect(answer?.headers['retry-after']).toBe('1')
    expect(answer?.headers.connection).toBe('close')
    // The slow request finishes and is accepted; its bytes go back to the budget.
    slow.send(Buffer.alloc(40_000, ' '))
    expect((await slow.answer)?.status).toBe(200)
    slow.close()
    expect(await small(trigger.id)).toBe(200)
  })

  it('cuts off a body whose bytes would pass the budget, and lets one alone pass it', async () => {
    const trigger = await createTrigger(server, key, { bodyLimitBytes: 400_000 })
    // 60 kB held: a 60 kB body fits when it starts and passes the budget while it is read.
    let cut: RawAnswer | null = null
    const holder = await holdWhile(trigger.id, { declared: 150_000, sent: 60_000 }, async () => {
      const exchange = rawRequest(server.url, head(trigger.id, 'content-length: 60000\r\n'))
      exchange.send(Buffer.alloc(60_000, ' '))
      const answer = await exchange.answer
      exchange.close()
      if (answer?.status === 503) cut = answer
      return answer?.status === 503
    })
    expect(JSON.parse(cut!.body).error.code).toBe('server_busy')
    holder.close()
    await holder.closed
    // Alone, a body larger than the whole budget still gets through.
    const alone = await sendHook(server, trigger.id, { body: Buffer.alloc(300_000, 'e') })
    expect(alone.status).toBe(200)
  })
})
