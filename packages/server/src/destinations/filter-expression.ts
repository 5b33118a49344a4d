/*
 * The payload filter language of a destination (docs/filters.md): comparisons of JSONPaths into
 * the event's standard body with literals, joined by and/or/not. Tenant-controlled, so it is
 * small on purpose: a path is `$` followed by keys and array indexes only (no wildcards, no
 * recursive descent, no filters or scripts), the text is at most 2,000 characters, nesting at
 * most 32 deep. Parsing is one left-to-right pass over the tokens (no backtracking), and the
 * compiled predicate is a PostgreSQL jsonpath whose cost is linear in its length: each path
 * step is a key or an index lookup.
 *
 * Why compile to SQL rather than evaluate here: the fan-out is one statement that inserts the
 * events and their deliveries together (delivery/fan-out-store.ts); a filter applied there keeps
 * that (no read of the destinations first, no second trip with the events, no race with a
 * destination saved between the two), and a destination without a filter costs nothing.
 */

export const maxExpressionLength = 2000
const maxDepth = 32
const maxInItems = 100

/** Where a filter expression is wrong: the message, and the 1-based column and 0-based offset. */
export interface ExpressionFault {
  message: string
  column: number
  offset: number
}

export type CompileResult = { ok: true; jsonpath: string } | { ok: false; fault: ExpressionFault }

type Token =
  | { kind: 'path'; text: string; jsonpath: string; at: number }
  | { kind: 'literal'; jsonpath: string; at: number }
  | { kind: 'op'; text: string; at: number }
  | { kind: 'word'; text: string; at: number }
  | { kind: 'punct'; text: string; at: number }
  | { kind: 'end'; at: number }

class Fault extends Error {
  readonly at: number
  constructor(message: string, at: number) {
    super(message)
    this.at = at
  }
}

/**
 * Parses a filter expression and compiles it to a PostgreSQL jsonpath predicate.
 * @example compileFilterExpression('$.data.amount > 100 and $.type == "record.created"')
 * // { ok: true, jsonpath: '($."data"."amount" > 100 && $."type" == "record.created")' }
 */
export function compileFilterExpression(text: string): CompileResult {
  try {
    if (text.length > maxExpressionLength)
      throw new Fault(`is longer than ${maxExpressionLength} characters`, maxExpressionLength)
    const parser = new Parser(tokenize(text))
    const jsonpath = parser.expression(0)
    parser.expectEnd()
    return { ok: true, jsonpath }
  } catch (err) {
    if (!(err instanceof Fault)) throw err
    return { ok: false, fault: { message: err.message, column: err.at + 1, offset: err.at } }
  }
}

class Parser {
  private i = 0
  private readonly tokens: Token[]
  constructor(tokens: Token[]) {
    this.tokens = tokens
  }

  private peek(): Token {
    return this.tokens[this.i]!
  }

  private next(): Token {
    return this.tokens[this.i++]!
  }

  private isWord(text: string): boolean {
    const t = this.peek()
    return t.kind === 'word' && t.text === text
  }

  private isPunct(text: string): boolean {
    const t = this.peek()
    return t.kind === 'punct' && t.text === text
  }

  expectEnd(): void {
    const t = this.peek()
    if (t.kind !== 'end')
      throw new Fault(`unexpected ${describe(t)}; expected and, or or the end`, t.at)
  }

  expression(depth: number): string {
    if (depth > maxDepth) throw new Fault(`nests deeper than ${maxDepth}`, this.peek().at)
    const terms = [this.conjunction(depth)]
    while (this.isWord('or')) {
      this.next()
      terms.push(this.conjunction(depth))
    }
    return terms.length === 1 ? terms[0]! : `(${terms.join(' || ')})`
  }

  private conjunction(depth: number): string {
    const terms = [this.unary(depth)]
    while (this.isWord('and')) {
      this.next()
      terms.push(this.unary(depth))
    }
    return terms.length === 1 ? terms[0]! : `(${terms.join(' && ')})`
  }

  private unary(depth: number): string {
    if (this.isWord('not')) {
      const at = this.next().at
      if (depth + 1 > maxDepth) throw new Fault(`nests deeper than ${maxDepth}`, at)
      return `!(${this.unary(depth + 1)})`
    }
    if (this.isPunct('(')) {
      this.next()
      const inner = this.expression(depth + 1)
      this.expectPunct(')')
      return `(${inner})`
    }
    if (this.isWord('exists')) {
      this.next()
      this.expectPunct('(')
      const path = this.path()
      this.expectPunct(')')
      return `exists(${path})`
    }
    return this.comparison()
  }

  private comparison(): string {
    const path = this.path()
    const t = this.next()
    if (t.kind === 'op') return `${path} ${t.text} ${this.literal()}`
    if (t.kind === 'word' && t.text === 'in') {
      this.expectPunct('[')
      const items = [this.literal()]
      while (this.isPunct(',')) {
        this.next()
        if (items.length >= maxInItems)
          throw new Fault(`an in list holds at most ${maxInItems} values`, this.peek().at)
        items.push(this.literal())
      }
      this.expectPunct(']')
      return `(${items.map((item) => `${path} == ${item}`).join(' || ')})`
    }
    throw new Fault(`expected ==, !=, >, >=, <, <= or in after the path, not ${describe(t)}`, t.at)
  }

  private path(): string {
    const t = this.next()
    if (t.kind !== 'path')
      throw new Fault(`expected a path starting with $, not ${describe(t)}`, t.at)
    return t.jsonpath
  }

  private literal(): string {
    const t = this.next()
    if (t.kind !== 'literal')
      throw new Fault(`expected a string, number, true, false or null, not ${describe(t)}`, t.at)
    return t.jsonpath
  }

  private expectPunct(text: string): void {
    const t = this.next()
    if (t.kind !== 'punct' || t.text !== text)
      throw new Fault(`expected "${text}", not ${describe(t)}`, t.at)
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'the end of the expression'
    case 'literal':
      return 'a value'
    case 'path':
      return `the path ${t.text}`
    case 'op':
    case 'word':
    case 'punct':
      return `"${t.text}"`
  }
}

const words = new Set(['and', 'or', 'not', 'in', 'exists', 'true', 'false', 'null'])
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const identifierPattern = /[A-Za-z_][A-Za-z0-9_]*/y
const indexPattern = /0|[1-9]\d{0,5}/y
const spacePattern = /\s+/y

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let at = 0
  const sticky = (pattern: RegExp): string | null => {
    pattern.lastIndex = at
    const match = pattern.exec(text)
    return match ? match[0] : null
  }
  while (at < text.length) {
    const space = sticky(spacePattern)
    if (space) {
      at += space.length
      continue
    }
    const c = text[at]!
    const two = text.slice(at, at + 2)
    if (c === '$') {
      const { token, end } = readPath(text, at)
      tokens.push(token)
      at = end
    } else if (c === '"' || c === "'") {
      const { value, end } = readString(text, at)
      tokens.push({ kind: 'literal', jsonpath: JSON.stringify(value), at })
      at = end
    } else if (['==', '!=', '>=', '<='].includes(two)) {
      tokens.push({ kind: 'op', text: two, at })
      at += 2
    } else if (c === '>' || c === '<') {
      tokens.push({ kind: 'op', text: c, at })
      at += 1
    } else if ('()[],'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, at })
      at += 1
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const number = sticky(numberPattern)
      if (!number) throw new Fault('is not a number', at)
      tokens.push({ kind: 'literal', jsonpath: number, at })
      at += number.length
    } else {
      const word = sticky(identifierPattern)
      if (!word) throw new Fault(`unexpected character "${c}"`, at)
      const lower = word.toLowerCase()
      if (!words.has(lower))
        throw new Fault(`unknown word "${word}"; paths start with $, strings are quoted`, at)
      if (lower === 'true' || lower === 'false' || lower === 'null')
        tokens.push({ kind: 'literal', jsonpath: lower, at })
      else tokens.push({ kind: 'word', text: lower, at })
      at += word.length
    }
  }
  tokens.push({ kind: 'end', at: text.length })
  return tokens
}

/** `$`, then `.key`, `['key']`, `["key"]` or `[index]` steps; compiled to quoted jsonpath keys. */
function readPath(text: string, start: number): { token: Token; end: number } {
  let at = start + 1
  let jsonpath = '$'
  const sticky = (pattern: RegExp): string | null => {
    pattern.lastIndex = at
    const match = pattern.exec(text)
    return match ? match[0] : null
  }
  for (;;) {
    const c = text[at]
    if (c === '.') {
      if (text[at + 1] === '.')
        throw new Fault('recursive descent (..) is not allowed in filters', at)
      at += 1
      if (text[at] === '*') throw new Fault('wildcards are not allowed in filters', at)
      const key = sticky(identifierPattern)
      if (!key) throw new Fault('expected a key after "."', at)
      jsonpath += `.${JSON.stringify(key)}`
      at += key.length
    } else if (c === '[') {
      at += 1
      const q = text[at]
      if (q === '"' || q === "'") {
        const { value, end } = readString(text, at)
        jsonpath += `.${JSON.stringify(value)}`
        at = end
      } else {
        const index = sticky(indexPattern)
        if (!index)
          throw new Fault('expected a quoted key or an array index (0 or more) in [ ]', at)
        jsonpath += `[${index}]`
        at += index.length
      }
      if (text[at] !== ']') throw new Fault('expected "]"', at)
      at += 1
    } else {
      return { token: { kind: 'path', text: text.slice(start, at), jsonpath, at: start }, end: at }
    }
  }
}

/** A single- or double-quoted string with JSON's escapes (\" \' \\ \/ \b \f \n \r \t \uXXXX). */
function readString(text: string, start: number): { value: string; end: number } {
  const quote = text[start]!
  let value = ''
  let at = start + 1
  const escapes: Record<string, string> = {
    '"': '"',
    "'": "'",
    '\\': '\\',
    '/': '/',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
  }
  while (at < text.length) {
    const c = text[at]!
    if (c === quote) {
      if (!value.isWellFormed()) throw new Fault('the string holds a lone surrogate', start)
      return { value, end: at + 1 }
    }
    if (c === '\\') {
      const e = text[at + 1] ?? ''
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
        value += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16))
        at += 6
        continue
      }
      const escaped = escapes[e]
      if (escaped === undefined) throw new Fault(`unknown escape "\\${e}"`, at)
      value += escaped
      at += 2
      continue
    }
    value += c
    at += 1
  }
  throw new Fault('the string is not closed', start)
}
