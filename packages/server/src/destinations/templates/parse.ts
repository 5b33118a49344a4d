import { JSONPath } from 'jsonpath-plus'
import {
  templateFunctions,
  type Expression,
  type ParseResult,
  type Placeholder,
  type StringNode,
  type Template,
  type TemplateFault,
  type TemplateNode,
  type TemplateFunction,
  type TextTemplate,
} from './types.ts'

/*
 * A small recursive-descent JSON parser that also takes `{{ … }}` placeholders: as a value
 * (`"data": {{$.event.data}}`) or inside a string (`"text": "Failed: {{$.event.message}}"`).
 * JSON never has `{{` outside a string (an object's first token is a quoted key), so a
 * placeholder cannot be mistaken for an object. We parse ourselves instead of JSON.parse so a
 * fault carries its position: V8's messages do not always give one.
 */

class Refusal extends Error {
  readonly offset: number
  constructor(offset: number, message: string) {
    super(message)
    this.offset = offset
  }
}

interface Cursor {
  text: string
  pos: number
}

/**
 * Parses a JSON template.
 * @example parseTemplate('{"text": "{{$.event.message}}", "event": {{$.event}}}') // { ok: true, … }
 */
export function parseTemplate(text: string): ParseResult<Template> {
  return refusalsAsFaults(text, () => {
    const cursor = { text, pos: 0 }
    skipSpace(cursor)
    const root = parseValue(cursor)
    skipSpace(cursor)
    if (cursor.pos < text.length) refuse(cursor.pos, 'unexpected text after the JSON value')
    return { text, root }
  })
}

/**
 * Parses a text template (a header value): literal text with placeholders, no JSON.
 * @example parseTextTemplate('Bearer {{$.event.project.id}}')
 */
export function parseTextTemplate(text: string): ParseResult<TextTemplate> {
  return refusalsAsFaults(text, () => {
    const cursor = { text, pos: 0 }
    const parts: (string | Placeholder)[] = []
    while (cursor.pos < text.length) {
      const open = text.indexOf('{{', cursor.pos)
      if (open === -1) break
      parts.push(text.slice(cursor.pos, open))
      cursor.pos = open
      parts.push(parsePlaceholder(cursor))
    }
    parts.push(text.slice(cursor.pos))
    return { text, parts: parts.filter((p) => p !== '') }
  })
}

/** Where a fault is: 1-based line and column of an offset. */
export function faultAt(text: string, offset: number, message: string): TemplateFault {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - (before.lastIndexOf('\n') + 1) + 1
  return { message, offset, line, column }
}

function refusalsAsFaults<T>(text: string, parse: () => T): ParseResult<T> {
  try {
    return { ok: true, template: parse() }
  } catch (error) {
    if (error instanceof Refusal)
      return { ok: false, fault: faultAt(text, error.offset, error.message) }
    throw error
  }
}

function refuse(offset: number, message: string): never {
  throw new Refusal(offset, message)
}

function skipSpace(c: Cursor): void {
  while (c.pos < c.text.length && ' \t\n\r'.includes(c.text[c.pos]!)) c.pos++
}

function parseValue(c: Cursor): TemplateNode {
  const ch = c.text[c.pos]
  if (ch === '{' && c.text[c.pos + 1] === '{')
    return { kind: 'insert', placeholder: parsePlaceholder(c) }
  if (ch === '{') return parseObject(c)
  if (ch === '[') return parseArray(c)
  if (ch === '"') return parseString(c)
  if (ch === undefined) refuse(c.pos, 'the template ends where a value was expected')
  return parseLiteral(c)
}

function parseObject(c: Cursor): TemplateNode {
  const members: { key: StringNode; value: TemplateNode }[] = []
  c.pos++
  skipSpace(c)
  if (c.text[c.pos] === '}') {
    c.pos++
    return { kind: 'object', members }
  }
  for (;;) {
    skipSpace(c)
    if (c.text[c.pos] !== '"') refuse(c.pos, 'expected a property name in double quotes')
    const key = parseString(c)
    skipSpace(c)
    if (c.text[c.pos] !== ':') refuse(c.pos, "expected ':' after the property name")
    c.pos++
    skipSpace(c)
    members.push({ key, value: parseValue(c) })
    skipSpace(c)
    if (c.text[c.pos++] === '}') return { kind: 'object', members }
    if (c.text[c.pos - 1] !== ',') refuse(c.pos - 1, "expected ',' or '}' after a property value")
  }
}

function parseArray(c: Cursor): TemplateNode {
  const items: TemplateNode[] = []
  c.pos++
  skipSpace(c)
  if (c.text[c.pos] === ']') {
    c.pos++
    return { kind: 'array', items }
  }
  for (;;) {
    skipSpace(c)
    items.push(parseValue(c))
    skipSpace(c)
    if (c.text[c.pos++] === ']') return { kind: 'array', items }
    if (c.text[c.pos - 1] !== ',') refuse(c.pos - 1, "expected ',' or ']' after an array item")
  }
}

const escapes: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
}

function parseString(c: Cursor): StringNode {
  const start = c.pos++
  const parts: (string | Placeholder)[] = []
  let buffer = ''
  for (;;) {
    const ch = c.text[c.pos]
    if (ch === undefined) refuse(start, 'this string is never closed with a double quote')
    if (ch === '"') break
    if (ch === '{' && c.text[c.pos + 1] === '{') {
      parts.push(buffer, parsePlaceholder(c))
      buffer = ''
    } else if (ch === '\\') {
      buffer += parseEscape(c)
    } else if (ch < ' ') {
      refuse(c.pos, 'a control character (a raw line break?) inside a string; escape it as \\n')
    } else {
      buffer += ch
      c.pos++
    }
  }
  c.pos++
  parts.push(buffer)
  return { kind: 'string', parts: parts.filter((p) => p !== '') }
}

function parseEscape(c: Cursor): string {
  const next = c.text[c.pos + 1] ?? ''
  if (next in escapes) {
    c.pos += 2
    return escapes[next]!
  }
  const hex = c.text.slice(c.pos + 2, c.pos + 6)
  if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(hex)) {
    c.pos += 6
    return String.fromCharCode(parseInt(hex, 16))
  }
  return refuse(c.pos, `"\\${next}" is not a JSON escape`)
}

const literal = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y
const words: Record<string, null | boolean> = { null: null, true: true, false: false }

function parseLiteral(c: Cursor): TemplateNode {
  literal.lastIndex = c.pos
  const match = literal.exec(c.text)
  if (!match) return refuse(c.pos, `unexpected character ${JSON.stringify(c.text[c.pos])}`)
  const text = match[0]
  c.pos += text.length
  const value = Object.hasOwn(words, text) ? (words[text] as null | boolean) : Number(text)
  return { kind: 'literal', value }
}

function parsePlaceholder(c: Cursor): Placeholder {
  const offset = c.pos
  const close = c.text.indexOf('}}', offset + 2)
  if (close === -1) refuse(offset, "this '{{' is never closed with '}}'")
  const inner = c.text.slice(offset + 2, close).trim()
  c.pos = close + 2
  return { expression: parseExpression(inner, offset), offset }
}

const call = /^([A-Za-z_]\w*)\(\s*\)$/

function parseExpression(inner: string, offset: number): Expression {
  const fn = call.exec(inner)
  if (fn) {
    const name = fn[1]!
    if ((templateFunctions as readonly string[]).includes(name))
      return { kind: 'call', name: name as TemplateFunction }
    refuse(offset, `unknown function ${name}(); the functions are uuid() and now()`)
  }
  if (!inner.startsWith('$'))
    refuse(offset, 'expected a JSONPath like $.event.message, or uuid() or now()')
  // toPathArray caches and hands out its own array: copy it.
  const segments = [...JSONPath.toPathArray(inner)]
  if (segments.some((s) => s.startsWith('?(') || s.startsWith('(')))
    refuse(offset, `"${inner}": filter and script expressions are not allowed in templates`)
  // Each recursive descent after the first multiplies the work by the data's depth, and the
  // data may be a /hooks body anyone sent (trigger.received): `$..*..*..*` over 182 KB took
  // 14 s on the thread that delivers for every project (issue 24). Triggers' paths have the
  // same bound (inbound/values.ts).
  if (segments.filter((s) => s === '..').length > 1)
    refuse(offset, `"${inner}": recursive descent (..) may appear once in a path`)
  return { kind: 'path', path: inner, segments }
}

/** Every placeholder of a template, in text order. */
export function placeholdersOf(node: TemplateNode): Placeholder[] {
  switch (node.kind) {
    case 'literal':
      return []
    case 'string':
      return node.parts.filter((p): p is Placeholder => typeof p !== 'string')
    case 'array':
      return node.items.flatMap(placeholdersOf)
    case 'object':
      return node.members.flatMap((m) => [...placeholdersOf(m.key), ...placeholdersOf(m.value)])
    case 'insert':
      return [node.placeholder]
  }
}
