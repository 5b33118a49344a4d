import net from 'node:net'

export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

export interface RawExchange {
  /** Writes more of the request (a body chunk); ignored once the server closed. */
  send(data: string | Buffer): void
  /** The first response, once its head and `Content-Length` bytes arrived; null if closed first. */
  answer: Promise<RawAnswer | null>
  /** Resolves once the head is written (after the warm-up request's answer, if asked). */
  sent: Promise<void>
  /** Resolves when the server (or the client) closed the connection. */
  closed: Promise<void>
  close(): void
}

/**
 * An HTTP/1.1 request written byte for byte on a socket: for what `fetch` cannot send (a raw
 * NUL, `Authorization: bearer  k `, a body that stops half-way) and for watching the answer
 * arrive while the request is still being sent.
 * @example const x = rawRequest(server.url, 'POST /hooks/abc HTTP/1.1\r\ncontent-length: 10\r\n\r\n'); await x.answer
 */
export function rawRequest(
  baseUrl: string,
  head: string,
  options: { warmUp?: boolean } = {},
): RawExchange {
  const { port, hostname } = new URL(baseUrl)
  const socket = net.connect(Number(port), hostname)
  // The server may cut the connection while the test still writes: the answer is what counts.
  socket.on('error', () => {})
  let received = Buffer.alloc(0)
  let warming = options.warmUp === true
  let settle: (answer: RawAnswer | null) => void = () => {}
  let warmed: () => void = () => {}
  const answer = new Promise<RawAnswer | null>((resolve) => (settle = resolve))
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  void closed.then(() => settle(parse(received)?.answer ?? null))
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk])
    const parsed = parse(received)
    if (!parsed) return
    if (!warming) return settle(parsed.answer)
    warming = false
    received = received.subarray(parsed.length)
    warmed()
  })
  // Warmed up, the request goes out on a connection the server already reads, like a
  // keep-alive client's: a new connection's first bytes can be read after another's later ones.
  const sent = (async () => {
    if (options.warmUp) {
      const done = new Promise<void>((resolve) => (warmed = resolve))
      socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n')
      await done
    }
    await new Promise<void>((resolve) => socket.write(head, () => resolve()))
  })()
  return {
    sent,
    send: (data) => {
      void sent.then(() => socket.writable && socket.write(data))
    },
    answer,
    closed,
    close: () => socket.destroy(),
  }
}

function parse(bytes: Buffer): { answer: RawAnswer; length: number } | null {
  const end = bytes.indexOf('\r\n\r\n')
  if (end === -1) return null
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const length = Number(headers['content-length'] ?? 0)
  if (bytes.length < end + 4 + length) return null
  const answer = {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0),
    headers,
    body: bytes.subarray(end + 4, end + 4 + length).toString('utf8'),
  }
  return { answer, length: end + 4 + length }
}
