/*
 * Receivers' size limits, kept by cutting strings rather than by a request they refuse or cut
 * themselves mid-JSON. A preset names its service's limits (Datadog: 1 MB per log; New Relic:
 * 1 MB per POST and 4,096 characters per attribute value; Slack: 2,000 characters per field).
 */

/** A receiver's documented limits. Bytes are of the JSON text, UTF-8. */
export interface BodyLimits {
  maxBodyBytes?: number
  maxStringChars?: number
}

const ellipsis = '…'

/**
 * Cuts strings so the value keeps within the limits: every string to `maxStringChars`, then the
 * longest string, again and again, until the JSON text fits `maxBodyBytes`. Returns a new value.
 * @example fitWithin({ message: 'x'.repeat(5000) }, { maxStringChars: 4096 }) // message of 4,096 characters
 */
export function fitWithin(value: unknown, limits: BodyLimits): unknown {
  let fitted = limits.maxStringChars ? capStrings(value, limits.maxStringChars) : value
  const max = limits.maxBodyBytes
  if (!max) return fitted
  // Each pass removes at least the excess from one string; 32 passes is far beyond any body
  // a template builds (a handful of long strings). What still does not fit goes as it is.
  for (let pass = 0; pass < 32; pass++) {
    const excess = Buffer.byteLength(JSON.stringify(fitted)) - max
    if (excess <= 0) return fitted
    const longest = longestString(fitted, [])
    if (!longest || longest.length === 0) return fitted
    fitted = cutAt(fitted, longest.path, Math.max(0, longest.length - excess - ellipsis.length))
  }
  return fitted
}

function cut(text: string, chars: number): string {
  if (text.length <= chars) return text
  return text.slice(0, Math.max(0, chars - ellipsis.length)) + ellipsis
}

function capStrings(value: unknown, max: number): unknown {
  if (typeof value === 'string') return cut(value, max)
  if (Array.isArray(value)) return value.map((item) => capStrings(item, max))
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, capStrings(v, max)]))
  return value
}

type Path = (string | number)[]

function longestString(value: unknown, path: Path): { path: Path; length: number } | null {
  if (typeof value === 'string') return { path, length: value.length }
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [i, item])
    : value !== null && typeof value === 'object'
      ? Object.entries(value)
      : []
  let best: { path: Path; length: number } | null = null
  for (const [key, child] of entries) {
    const found = longestString(child, [...path, key])
    if (found && (!best || found.length > best.length)) best = found
  }
  return best
}

/** A copy with the string at `path` cut to `chars`, sharing everything off the path. */
function cutAt(value: unknown, path: Path, chars: number): unknown {
  if (path.length === 0) return cut(value as string, chars)
  const [key, ...rest] = path as [string | number, ...Path]
  if (Array.isArray(value))
    return value.map((item, i) => (i === key ? cutAt(item, rest, chars) : item))
  const record = value as Record<string, unknown>
  return { ...record, [key]: cutAt(record[key as string], rest, chars) }
}
