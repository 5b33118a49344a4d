import {
  formatsCarrying,
  resolveEventFilter,
  wireName,
  type CanonicalType,
  type WireFormat,
} from '../catalog/index.ts'
import { apiError } from '../errors.ts'

/**
 * Checks a target URL's shape. Whether its address may be reached is decided at connect time,
 * after DNS (outbound/safe-connect.ts), so a name that resolves elsewhere later cannot slip by.
 * @param path the field's JSON pointer, for the error's details
 * @example checkTargetUrl('https://example.com/hooks', '/url') // returns the URL as given
 */
export function checkTargetUrl(value: string, path: string): string {
  const refuse = (message: string) => apiError('invalid_url', undefined, [{ path, message }])
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw refuse('is not an absolute URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw refuse(`must use http or https, not ${url.protocol.slice(0, -1)}`)
  }
  if (url.username || url.password) {
    throw refuse('must not carry credentials (user:password@); send them in a custom header')
  }
  if (!url.hostname) throw refuse('has no host')
  return value
}

// RFC 9110 §7.6.1 hop-by-hop fields, plus the ones the sender computes itself.
const reservedHeaders = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
])
const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * Checks custom headers: valid names, no hop-by-hop or `webhook-*` names (those carry the
 * signature), no line breaks in values. Names are kept as written.
 * @example checkCustomHeaders({ 'DD-API-KEY': 'abc' }, '/headers')
 */
export function checkCustomHeaders(
  headers: Record<string, string>,
  path: string,
): Record<string, string> {
  const faults = Object.entries(headers).flatMap(([name, value]) => {
    const lower = name.toLowerCase()
    const at = `${path}/${name}`
    if (!tokenPattern.test(name)) return [{ path: at, message: 'is not a valid header name' }]
    if (reservedHeaders.has(lower))
      return [{ path: at, message: 'is a hop-by-hop header the sender sets itself' }]
    if (lower.startsWith('webhook-'))
      return [{ path: at, message: 'webhook-* headers carry the signature and cannot be set' }]
    if (/[\r\n\0]/.test(value)) return [{ path: at, message: 'must not contain line breaks' }]
    return []
  })
  if (faults.length > 0) throw apiError('invalid_header', undefined, faults)
  return headers
}

/**
 * Turns an event filter into canonical types (null for every type). With a format, refuses the
 * types the filter names that the format has no name for: a destination in that format would
 * never receive them. "*" means every type the format carries, so it is never refused.
 * @example checkEventFilter(['record_created'], '/events', 'managed-sync') // ['record.created']
 * @throws unknown_event_name, or event_not_in_format with each refused name in `details`
 */
export function checkEventFilter(
  filter: readonly string[],
  path: string,
  format?: WireFormat,
): CanonicalType[] | null {
  const resolved = resolveEventFilter(filter)
  if (!resolved.ok) {
    throw apiError(
      'unknown_event_name',
      `Unknown event name${resolved.unknown.length > 1 ? 's' : ''}: ${resolved.unknown.join(', ')}. GET /v1/event-types lists them.`,
      resolved.unknown.map((name) => ({ path, message: `"${name}" is not in the catalog`, name })),
    )
  }
  if (format) refuseUncarried(filter, path, format, resolved.named)
  return resolved.types === '*' ? null : resolved.types
}

function refuseUncarried(
  filter: readonly string[],
  path: string,
  format: WireFormat,
  named: readonly CanonicalType[],
): void {
  const uncarried = new Set(named.filter((type) => wireName(format, type) === null))
  if (uncarried.size === 0) return
  const details = filter.flatMap((name, i) => {
    const resolved = resolveEventFilter([name])
    const type = resolved.ok ? resolved.named[0] : undefined
    if (type === undefined || !uncarried.has(type)) return []
    const carriers = formatsCarrying(type).join(', ')
    return [
      {
        path: `${path}/${i}`,
        message: `${format} has no name for ${type} (carried by ${carriers})`,
        name,
        type,
      },
    ]
  })
  const types = [...uncarried].join(', ')
  const it = uncarried.size > 1 ? 'them' : 'it'
  throw apiError(
    'event_not_in_format',
    `The ${format} format has no name for ${types}, so a ${format} destination would never ` +
      `receive ${it}. Remove ${it} from events, or pick a format that carries ${it} ` +
      "(GET /v1/event-types lists each type's formats).",
    details,
  )
}

// The `email` format of ajv-formats, which `POST /v1/projects {ownerEmail}` checks with, so the
// default destination's address always passes here too.
const emailPattern =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i

/**
 * Checks email recipients: bare addresses (no display names), at least one. Repeats are dropped.
 * @throws invalid_email with the index of each address that is not one
 * @example checkEmailAddresses(['ops@acme.test'], '/to') // ['ops@acme.test']
 */
export function checkEmailAddresses(to: readonly string[] | undefined, path: string): string[] {
  if (!to || to.length === 0)
    throw apiError('invalid_email', 'An email destination needs at least one address in "to".', [
      { path, message: 'is required' },
    ])
  const faults = to.flatMap((address, i) =>
    address.length <= 320 && emailPattern.test(address)
      ? []
      : [{ path: `${path}/${i}`, message: `"${address}" is not an email address` }],
  )
  if (faults.length > 0) throw apiError('invalid_email', faults[0]!.message + '.', faults)
  return [...new Set(to)]
}
