import { Writable } from 'node:stream'
import { stripVTControlCharacters } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../src/log.ts'

/**
 * A stdout stand-in that keeps what is written, colours stripped (whether they show depends on
 * NO_COLOR and FORCE_COLOR); `isTTY` says whether it is a terminal.
 */
function output(isTTY: boolean) {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...stripVTControlCharacters(String(chunk)).split('\n').filter(Boolean))
      done()
    },
  }) as Writable & { isTTY: boolean }
  stream.isTTY = isTTY
  return { stream: stream as unknown as NodeJS.WriteStream, lines }
}

const flush = () => new Promise((resolve) => setImmediate(resolve))

describe('engine logs', () => {
  it('writes JSON lines when stdout is not a terminal', async () => {
    const out = output(false)
    createLogger({ logLevel: 'info', logFormat: 'auto' }, out.stream).info(
      { deliveryId: 'd1' },
      'sent',
    )
    await flush()
    expect(out.lines).toHaveLength(1)
    expect(JSON.parse(out.lines[0]!)).toMatchObject({ level: 30, msg: 'sent', deliveryId: 'd1' })
  })

  it('writes one human line per entry on a terminal: time, level, message, fields', async () => {
    const out = output(true)
    createLogger({ logLevel: 'info', logFormat: 'auto' }, out.stream).warn(
      { deliveryId: 'd1', attempt: 2 },
      'delivery failed',
    )
    await flush()
    expect(out.lines).toEqual([
      expect.stringMatching(
        /^\d\d:\d\d:\d\d\.\d{3} WARN {2}delivery failed {2}deliveryId=d1 attempt=2$/,
      ),
    ])
  })

  it('shows a request line once: its fields only as the message says them', async () => {
    const out = output(true)
    const entry = { reqId: 'r1', method: 'GET', url: '/v1/events', status: 200, durationMs: 2.4 }
    createLogger({ logLevel: 'info', logFormat: 'pretty' }, out.stream).info(
      entry,
      'GET /v1/events 200 2 ms',
    )
    await flush()
    expect(out.lines).toEqual([
      expect.stringMatching(/ INFO {2}GET \/v1\/events 200 2 ms {2}reqId=r1$/),
    ])
  })

  it('follows SWITCHYARD_LOG_FORMAT over the terminal check', async () => {
    const out = output(true)
    createLogger({ logLevel: 'info', logFormat: 'json' }, out.stream).info('ready')
    await flush()
    expect(JSON.parse(out.lines[0]!)).toMatchObject({ msg: 'ready' })
  })

  it("prints an error's message on its line and its stack below", async () => {
    const out = output(true)
    createLogger({ logLevel: 'info', logFormat: 'pretty' }, out.stream).error(
      { err: new Error('connection reset') },
      'sending a delivery failed',
    )
    await flush()
    expect(out.lines[0]).toMatch(/ ERROR sending a delivery failed: connection reset/)
    expect(out.lines[1]).toMatch(/^ {4}at /)
  })
})
