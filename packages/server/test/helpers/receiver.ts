import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request a receiver got, body as text. */
export interface ReceivedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: string
  receivedAt: number
}

/** How a receiver answers one request; the default answers 200 "ok". */
export type ReceiverHandler = (
  request: ReceivedRequest,
  res: http.ServerResponse,
  raw: http.IncomingMessage,
) => void

export interface Receiver {
  /** `http://127.0.0.1:port/hook` */
  url: string
  requests: ReceivedRequest[]
  /** Changes how the following requests are answered. */
  answer(handler: ReceiverHandler): void
  /** Resolves when `count` requests have arrived, or rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>
  close(): Promise<void>
}

/** Answers each request with the next status of the list, then repeats the last one. */
export function statuses(...codes: number[]): ReceiverHandler {
  let i = 0
  return (_request, res) => {
    const code = codes[Math.min(i++, codes.length - 1)]!
    res.writeHead(code).end(String(code))
  }
}

/**
 * A real HTTP receiver on 127.0.0.1:0 that records every request.
 * @example const receiver = await startReceiver(); receiver.answer(statuses(500, 200))
 */
export async function startReceiver(handler?: ReceiverHandler): Promise<Receiver> {
  let answer: ReceiverHandler = handler ?? ((_r, res) => res.writeHead(200).end('ok'))
  const requests: ReceivedRequest[] = []
  const waiters = new Set<() => void>()
  const server = http.createServer((raw, res) => {
    const chunks: Buffer[] = []
    raw.on('data', (chunk: Buffer) => chunks.push(chunk))
    raw.on('end', () => {
      const request = {
        method: raw.method ?? '',
        path: raw.url ?? '',
        headers: raw.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      }
      requests.push(request)
      for (const wake of waiters) wake()
      answer(request, res, raw)
    })
  })
  const sockets = new Set<import('node:net').Socket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    answer: (next) => {
      answer = next
    },
    waitForRequests: (count, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return
          cleanup()
          resolve(requests.slice(0, count))
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`expected ${count} requests, got ${requests.length} in ${timeoutMs} ms`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
