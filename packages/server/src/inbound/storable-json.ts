/*
 * What PostgreSQL cannot store, found before it refuses a whole statement. `text` holds no
 * U+0000; `jsonb` refuses `\u0000` and a UTF-16 surrogate that is not one of a pair (`"\ud800"`),
 * both of which JSON.parse and URLSearchParams hand out from a provider's bytes. One such string
 * in an event or an inbound row fails the statement, and with it every row of the batch.
 */

/**
 * Whether PostgreSQL stores the string as it is (in text and in jsonb).
 * @example storableString('a\u0000b') // false
 */
export function storableString(s: string): boolean {
  return s.isWellFormed() && !s.includes('\u0000')
}

/**
 * The string made storable for a diagnostic column (a reason, an id the sender made up): NUL and
 * unpaired surrogates become U+FFFD. Lossy, so never for what a request carries to destinations.
 * @example storableText('bad\u0000id') // 'bad\uFFFDid'
 */
export function storableText(s: string): string {
  return storableString(s) ? s : s.toWellFormed().replaceAll('\u0000', '\uFFFD')
}

/** Header values as the store keeps them (Node refuses NUL in headers; this is the backstop). */
export function storableHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    out[storableText(name)] = Array.isArray(value) ? value.map(storableText) : storableText(value)
  }
  return out
}

/**
 * Whether jsonb holds `value` as JSON.stringify writes it, unchanged: every string and key
 * storable, every number finite (JSON.parse reads `1e400` as Infinity, which JSON.stringify
 * writes as null) and not -0 (written as 0). Iterative, so a payload nested as deep as /hooks allows costs no stack.
 * @example jsonbHolds({ a: ['\ud800'] }) // false
 */
export function jsonbHolds(value: unknown): boolean {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v === 'string') {
      if (!storableString(v)) return false
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v) || Object.is(v, -0)) return false
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item)
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        if (!storableString(key)) return false
        stack.push(item)
      }
    }
  }
  return true
}
