import { isUtf8 } from 'node:buffer'
import type { FastifyInstance } from 'fastify'
import { apiError, type ErrorDetail } from '../errors.ts'

/**
 * The deepest nesting of arrays and objects a JSON body may have. No API object needs more
 * than a dozen levels; 5,000 parsed fine but then overflowed the stack in `JSON.stringify` on
 * the way to the store (a 500), and PostgreSQL has its own recursion limit for jsonb.
 */
export const maxJsonDepth = 512

/**
 * Replaces Fastify's JSON parser with one that refuses, with a 400 and a code:
 * - bodies that are not valid UTF-8 (the default decodes them with replacement characters, so
 *   `{"name":"\xff"}` would be stored as "�"),
 * - nesting deeper than `maxJsonDepth`, found by a scan of the text before it is parsed,
 * - strings or keys holding U+0000 or a lone surrogate: PostgreSQL stores neither in text or
 *   jsonb (the insert failed with a 500), and replacing them would change the data; and numbers
 *   too large for a double, which JSON.parse turns into Infinity and the store into null.
 * Prototype-poisoning keys stay refused (secure-json-parse).
 * @example installJsonParser(app)
 */
export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer
    if (!isUtf8(bytes)) {
      done(
        apiError(
          'invalid_json',
          'The request body is not valid UTF-8; send JSON encoded as UTF-8.',
        ),
      )
      return
    }
    const text = bytes.toString('utf8')
    if (nestsDeeperThan(text, maxJsonDepth)) {
      done(apiError('json_too_deep'))
      return
    }
    parse(request, text, (error, value) => {
      if (error) return done(error)
      const unstorable = mayHoldUnstorable(text) ? unstorableValues(value) : []
      if (unstorable.length > 0) return done(apiError('unsupported_value', undefined, unstorable))
      done(null, value)
    })
  })
}

/**
 * Does this JSON text nest arrays and objects deeper than `limit`? A loop, not recursion, so a
 * hostile document cannot overflow the stack here; string contents are skipped whole. Text that
 * is not JSON gets an answer too, and the parser then refuses it.
 * @example nestsDeeperThan('[[[]]]', 2) // true
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) i = endOfString(text, i)
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return false
}

// The index of the quote that closes the string opened at `start` (or the text's end).
function endOfString(text: string, start: number): number {
  let i = start
  for (;;) {
    i = text.indexOf('"', i + 1)
    if (i === -1) return text.length
    let backslashes = 0
    while (text.charCodeAt(i - 1 - backslashes) === 0x5c) backslashes++
    if (backslashes % 2 === 0) return i
  }
}

// In valid JSON text decoded from valid UTF-8, U+0000 and lone surrogates can only come from
// `\u` escapes, and a number past ±1.8e308 needs an exponent of three digits or 309 digits:
// text without either needs no walk (a match inside a string is a false alarm the walk clears).
const suspicious = /\\u(?:0000|[dD][89a-fA-F])|[eE][+]?\d{3}|\d{309}/

function mayHoldUnstorable(text: string): boolean {
  return suspicious.test(text)
}

const maxDetails = 20

/**
 * JSON pointers of the values in `value` that cannot be stored as sent: strings and keys with
 * U+0000 or a lone surrogate (PostgreSQL refuses both), numbers that parsed to ±Infinity. At
 * most 20. Walks with a stack, not recursion.
 * @example unstorableValues({ a: ['ok', '\u0000'] }) // [{ path: '/a/1', message: … }]
 */
export function unstorableValues(value: unknown): ErrorDetail[] {
  const found: ErrorDetail[] = []
  const stack: [unknown, string][] = [[value, '']]
  while (stack.length > 0 && found.length < maxDetails) {
    const [item, path] = stack.pop()!
    if (typeof item === 'string') {
      const fault = unstorable(item)
      if (fault) found.push({ path: path || '/', message: `holds ${fault}` })
    } else if (typeof item === 'number' && !Number.isFinite(item)) {
      // JSON.parse made it Infinity; stored, it would read back as null.
      found.push({ path: path || '/', message: 'is a number beyond ±1.8e308; send it as a string' })
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${path}/${i}`])
    } else if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!
        const childPath = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`
        const fault = unstorable(key)
        if (fault) found.push({ path: childPath, message: `has a key that holds ${fault}` })
        stack.push([child, childPath])
      }
    }
  }
  return found
}

function unstorable(text: string): string | null {
  if (text.includes('\0')) return 'U+0000 (\\u0000), which cannot be stored'
  if (!text.isWellFormed()) return 'a lone UTF-16 surrogate, which cannot be stored'
  return null
}
