/**
 * Request headers in any of the shapes frameworks hand out: a fetch `Headers` (or anything with
 * `get`), or a plain object such as Node's `IncomingHttpHeaders`, with names in any case.
 *
 * @example
 * const headers: HeadersLike = { 'webhook-id': 'msg_1', 'Webhook-Timestamp': '1614265330' }
 */
export type HeadersLike =
  { get(name: string): string | null } | Record<string, string | string[] | undefined>

/**
 * Reads one header by its lowercase name; repeated values are joined with a space (the separator
 * `webhook-signature` uses between signatures).
 *
 * @example
 * readHeader(new Headers({ 'Webhook-Id': 'msg_1' }), 'webhook-id') // 'msg_1'
 */
export function readHeader(headers: HeadersLike, name: string): string | undefined {
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined
  const record = headers as Record<string, string | string[] | undefined>
  const key = name in record ? name : Object.keys(record).find((k) => k.toLowerCase() === name)
  const value = key === undefined ? undefined : record[key]
  return Array.isArray(value) ? value.join(' ') : value
}
