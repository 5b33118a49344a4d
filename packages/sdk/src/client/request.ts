import { SwitchyardApiError } from './errors.ts'
import type { QueryValue } from './operation-types.ts'

/** How to reach a Switchyard server. */
export interface ClientOptions {
  /** The server's base URL, e.g. `http://localhost:8787`. */
  baseUrl: string
  /** A project API key, or the instance admin token for `projects`. */
  apiKey: string
  /** The fetch to use (default `globalThis.fetch`); inject one to proxy or record requests. */
  fetch?: typeof fetch
  /** Retries after a 5xx or a network error (default 2); 4xx answers are never retried. */
  retries?: number
  /** Time allowed for each attempt, in milliseconds (default 30 000). */
  timeoutMs?: number
}

/** One API call, as the resources describe it. */
export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** The path with its parameters filled in, e.g. `/v1/events/0192…`. */
  path: string
  query?: { [name: string]: QueryValue }
  body?: unknown
  /** POSTs get a random one when this is absent; the same key is sent on every retry. */
  idempotencyKey?: string
}

/** Sends one API call and resolves with its JSON answer (`undefined` for 204). */
export type Requester = <T>(options: RequestOptions) => Promise<T>

/**
 * Builds the function every resource sends its calls through: auth, idempotency keys, retries
 * with exponential backoff and jitter, and errors as `SwitchyardApiError`.
 *
 * @example
 * const request = createRequester({ baseUrl: 'http://localhost:8787', apiKey })
 * const page = await request({ method: 'GET', path: '/v1/events', query: { limit: 10 } })
 */
export function createRequester(options: ClientOptions): Requester {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis)
  const retries = options.retries ?? 2
  const timeoutMs = options.timeoutMs ?? 30_000
  const baseUrl = options.baseUrl.replace(/\/+$/, '')
  return async function request<T>(call: RequestOptions): Promise<T> {
    const url = baseUrl + call.path + queryString(call.query)
    const init = {
      method: call.method,
      headers: headersFor(options.apiKey, call),
      body: bodyOf(call),
    }
    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < retries
      let response: Response
      try {
        response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
      } catch (cause) {
        if (canRetry) {
          await sleep(backoffMs(attempt))
          continue
        }
        throw new SwitchyardApiError(
          {
            status: 0,
            code: 'network_error',
            message: `${call.method} ${url} failed: ${String(cause)}`,
          },
          { cause },
        )
      }
      if (response.status >= 500 && canRetry) {
        await response.body?.cancel()
        await sleep(backoffMs(attempt))
        continue
      }
      return readResponse<T>(response)
    }
  }
}

function headersFor(apiKey: string, call: RequestOptions): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${apiKey}`,
    accept: 'application/json',
  }
  if (call.body !== undefined) headers['content-type'] = 'application/json'
  // A retried POST must not publish twice: the key is fixed before the first attempt.
  if (call.method === 'POST')
    headers['idempotency-key'] = call.idempotencyKey ?? crypto.randomUUID()
  return headers
}

function bodyOf(call: RequestOptions): string | undefined {
  return call.body === undefined ? undefined : JSON.stringify(call.body)
}

function queryString(query: RequestOptions['query']): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

// 100 ms, 200 ms, 400 ms… capped at 5 s, each drawn from its upper half so clients spread out.
function backoffMs(attempt: number): number {
  const ceiling = Math.min(100 * 2 ** attempt, 5_000)
  return ceiling / 2 + Math.random() * (ceiling / 2)
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

async function readResponse<T>(response: Response): Promise<T> {
  const text = await response.text()
  const requestId = response.headers.get('x-request-id')
  const json = parseJson(text)
  if (response.ok && (text === '' || json !== undefined)) return json as T
  const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } })
    ?.error
  throw new SwitchyardApiError({
    status: response.status,
    code: typeof error?.code === 'string' ? error.code : 'unexpected_response',
    message:
      typeof error?.message === 'string'
        ? error.message
        : `The server answered ${response.status} ${response.statusText} without a JSON body.`,
    details: error?.details,
    requestId,
  })
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text)
  } catch {
    return undefined
  }
}
