import { SwitchyardApiError } from '@switchyard/sdk'

/** One server-sent event: `event:` (default "message"), the last `id:` seen, `data:` lines. */
export interface SseMessage {
  event: string
  id: string | null
  data: string
}

export interface SubscribeOptions {
  /** Full URL of the stream, query string included. */
  url: string
  apiKey: string
  /** Called when an established stream drops and again when it is back. */
  onConnection?: (state: 'lost' | 'restored') => void
  signal?: AbortSignal
}

/**
 * Reads a Switchyard event stream, reconnecting with `Last-Event-ID` when an established
 * stream drops (a server restart, a proxy timeout), so no event is missed or repeated.
 * The first connection failing, or any refusal (4xx), ends the iteration with the error.
 * @example for await (const m of subscribe({ url, apiKey })) if (m.event === 'event') use(m.data)
 */
export async function* subscribe(options: SubscribeOptions): AsyncGenerator<SseMessage> {
  let lastEventId: string | null = null
  let connected = false
  for (let failures = 0; ; failures++) {
    const response = await open(options, lastEventId, connected)
    if (response) {
      if (connected) options.onConnection?.('restored')
      connected = true
      failures = 0
      try {
        for await (const message of parseStream(response.body!)) {
          if (message.id !== null) lastEventId = message.id
          yield message
        }
      } catch {
        // A dropped connection; reconnect below.
      }
      if (options.signal?.aborted) return
      options.onConnection?.('lost')
    }
    await sleep(Math.min(500 * 2 ** failures, 10_000), options.signal)
    if (options.signal?.aborted) return
  }
}

/** @returns the open stream, or null for a failure worth retrying */
async function open(
  options: SubscribeOptions,
  lastEventId: string | null,
  retry: boolean,
): Promise<Response | null> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.apiKey}`,
    accept: 'text/event-stream',
  }
  if (lastEventId) headers['last-event-id'] = lastEventId
  let response: Response
  try {
    response = await fetch(options.url, { headers, signal: options.signal ?? null })
  } catch (cause) {
    if (retry || options.signal?.aborted) return null
    throw new SwitchyardApiError(
      { status: 0, code: 'network_error', message: `GET ${options.url} failed: ${String(cause)}` },
      { cause },
    )
  }
  if (response.ok && response.body) return response
  if (retry && response.status >= 500) {
    await response.body?.cancel()
    return null
  }
  throw await apiError(response)
}

async function apiError(response: Response): Promise<SwitchyardApiError> {
  const text = await response.text()
  let error: { code?: unknown; message?: unknown; details?: unknown } | undefined
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error
  } catch {
    error = undefined
  }
  return new SwitchyardApiError({
    status: response.status,
    code: typeof error?.code === 'string' ? error.code : 'unexpected_response',
    message:
      typeof error?.message === 'string'
        ? error.message
        : `The server answered ${response.status} ${response.statusText}.`,
    details: error?.details,
    requestId: response.headers.get('x-request-id'),
  })
}

/**
 * Parses the `text/event-stream` format (WHATWG HTML §9.2.6): fields until a blank line,
 * `data:` lines joined with "\n", comment lines (`: keep-alive`) ignored.
 */
export async function* parseStream(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  let buffer = ''
  let message: SseMessage = { event: 'message', id: null, data: '' }
  let data: string[] = []
  const decoder = new TextDecoder()
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true })
    let end: number
    while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A lone CR at the end may be the first half of a CRLF split across chunks.
      if (end === buffer.length - 1 && buffer[end] === '\r') break
      const line = buffer.slice(0, end)
      buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1))
      if (line === '') {
        if (data.length > 0) yield { ...message, data: data.join('\n') }
        message = { event: 'message', id: message.id, data: '' }
        data = []
        continue
      }
      const colon = line.indexOf(':')
      const field = colon < 0 ? line : line.slice(0, colon)
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
      if (field === 'data') data.push(value)
      else if (field === 'event') message.event = value
      else if (field === 'id') message.id = value
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}
