import type { ErrorDetail } from '../errors.ts'

/*
 * Checks of JSON bodies that need no recursion, so a hostile document cannot overflow the stack
 * in them: a scan of the text before it is parsed (nesting, numbers past a double), and a walk of
 * the parsed value for what the store cannot keep. The walk runs only when the scan or
 * `unstorableEscape` finds a reason: most bodies never pay for it.
 */

export interface JsonScan {
  /** Arrays and objects nest deeper than the limit (the scan stopped there). */
  tooDeep: boolean
  /** A number may be past ±1.8e308: 309 digits in a row, or an exponent of 300 or more. */
  hugeNumber: boolean
}

const quote = 0x22
const isDigit = (c: number) => c >= 0x30 && c <= 0x39

/**
 * One pass over JSON text, skipping string contents whole. Text that is not JSON gets an
 * answer too, and the parser then refuses it.
 * @example scanJson('[[[1e400]]]', 2) // { tooDeep: true, hugeNumber: false }
 */
export function scanJson(text: string, depthLimit: number): JsonScan {
  let depth = 0
  let hugeNumber = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === quote) i = endOfString(text, i)
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > depthLimit) return { tooDeep: true, hugeNumber }
    } else if (c === 0x7d || c === 0x5d) depth--
    else if (isDigit(c)) {
      const start = i
      while (isDigit(text.charCodeAt(i + 1))) i++
      if (i + 1 - start >= 309) hugeNumber = true
    } else if ((c === 0x65 || c === 0x45) && isDigit(text.charCodeAt(i - 1))) {
      const end = exponentEnd(text, i)
      if (end.large) hugeNumber = true
      i = end.index - 1
    }
  }
  return { tooDeep: false, hugeNumber }
}

// Past the exponent that starts at the `e` at `at`; large when it is positive and 300 or more.
function exponentEnd(text: string, at: number): { index: number; large: boolean } {
  let i = at + 1
  const sign = text.charCodeAt(i)
  if (sign === 0x2b || sign === 0x2d) i++
  while (text.charCodeAt(i) === 0x30) i++
  const first = i
  while (isDigit(text.charCodeAt(i))) i++
  const digits = i - first
  const large = sign !== 0x2d && (digits > 3 || (digits === 3 && text.charCodeAt(first) >= 0x33))
  return { index: i, large }
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

/**
 * In valid JSON text decoded from valid UTF-8, U+0000 and lone surrogates can only come from
 * `\u` escapes: text without this match needs no walk for them (an escaped backslash before
 * "u0000" is a false alarm the walk clears).
 */
export const unstorableEscape = /\\u(?:0000|[dD][89a-fA-F])/

const maxDetails = 20

/**
 * JSON pointers of the values in `value` that cannot be stored as sent: strings and keys with
 * U+0000 or a lone surrogate (PostgreSQL refuses both), numbers that parsed to ±Infinity. At
 * most 20. Walks with a stack, not recursion.
 * @example unstorableValues({ a: ['ok', '\u0000'] }) // [{ path: '/a/1', message: … }]
 */
export function unstorableValues(value: unknown): ErrorDetail[] {
  // Most suspects are false alarms: a walk without paths first, the one with paths only on a hit.
  if (!holdsUnstorable(value)) return []
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

function holdsUnstorable(value: unknown): boolean {
  const stack = [value]
  while (stack.length > 0) {
    const item = stack.pop()
    if (typeof item === 'string') {
      if (unstorable(item)) return true
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) return true
    } else if (Array.isArray(item)) {
      for (const child of item) stack.push(child)
    } else if (item !== null && typeof item === 'object') {
      for (const key in item) {
        if (unstorable(key)) return true
        stack.push((item as Record<string, unknown>)[key])
      }
    }
  }
  return false
}

function unstorable(text: string): string | null {
  if (text.includes('\0')) return 'U+0000 (\\u0000), which cannot be stored'
  if (!text.isWellFormed()) return 'a lone UTF-16 surrogate, which cannot be stored'
  return null
}
