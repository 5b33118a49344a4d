import type { InboundRequestRow } from './store.ts'
import type { RequestView } from './types.ts'

/**
 * The view handshakes, verifiers and routing read, built from what was stored (the router
 * rebuilds the same view from the row after a restart).
 * @example requestView({ method: 'POST', path: '/hooks/x', queryString: 'id=c1', headers, body }, publicUrl)
 */
export function requestView(
  raw: {
    method: string
    path: string
    queryString: string
    headers: Record<string, string | string[] | undefined>
    body: Uint8Array
  },
  publicUrl: string,
): RequestView {
  const body = Buffer.from(raw.body.buffer, raw.body.byteOffset, raw.body.byteLength)
  let parsed: { value: unknown } | null = null
  let form: URLSearchParams | null = null
  const params = new URLSearchParams(raw.queryString)
  return {
    method: raw.method,
    url: publicUrl + raw.path + (raw.queryString ? `?${raw.queryString}` : ''),
    path: raw.path,
    queryString: raw.queryString,
    query: Object.fromEntries(params),
    headers: flattenHeaders(raw.headers),
    body,
    json: () => (parsed ??= { value: parseJson(body) }).value,
    form: () => (form ??= new URLSearchParams(body.toString('utf8'))),
  }
}

/** The view of a stored row. */
export function viewOfRow(row: InboundRequestRow, publicUrl: string): RequestView {
  return requestView(
    {
      method: row.method,
      path: row.path,
      queryString: row.query_string,
      headers: row.headers,
      body: row.body,
    },
    publicUrl,
  )
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined
  try {
    return JSON.parse(body.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

/**
 * The payload an event forwards: JSON as parsed, a form as an object, anything else as text.
 * @example payloadOf(view) // { type: 'event_callback', … }
 */
export function payloadOf(view: RequestView): unknown {
  const json = view.json()
  if (json !== undefined) return json
  const type = view.headers['content-type'] ?? ''
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const out: Record<string, string | string[]> = {}
    for (const [k, v] of view.form()) {
      const seen = out[k]
      out[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v]
    }
    return out
  }
  return view.body.toString('utf8')
}
