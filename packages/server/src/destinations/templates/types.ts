/**
 * Terminology:
 * - template: JSON text with `{{ … }}` placeholders. A placeholder that stands where a JSON value
 *   goes inserts a JSON value; one inside a string inserts text, escaped for that string.
 * - context: what placeholders read. Custom templates read `$.event` (the event rendered in the
 *   destination's wire format); preset templates also read `$.preset` (the preset's options).
 * - function: a placeholder that is a call: `uuid()` (a UUID unique to the delivery, as 32 hex
 *   digits) or `now()` (the attempt's time, ISO 8601).
 */

/** What a placeholder evaluates. */
export type Expression =
  { kind: 'path'; path: string; segments: string[] } | { kind: 'call'; name: TemplateFunction }

export const templateFunctions = ['uuid', 'now'] as const
export type TemplateFunction = (typeof templateFunctions)[number]

/** A placeholder and where it starts in the template text (for save-time faults). */
export interface Placeholder {
  expression: Expression
  offset: number
}

/** A JSON string whose text may hold placeholders. */
export interface StringNode {
  kind: 'string'
  parts: (string | Placeholder)[]
}

export type TemplateNode =
  | { kind: 'literal'; value: null | boolean | number }
  | StringNode
  | { kind: 'array'; items: TemplateNode[] }
  | { kind: 'object'; members: { key: StringNode; value: TemplateNode }[] }
  | { kind: 'insert'; placeholder: Placeholder }

/** A parsed template. `text` is kept so faults can report a line and column. */
export interface Template {
  text: string
  root: TemplateNode
}

/** A text template (a header value): literal text and placeholders. */
export interface TextTemplate {
  text: string
  parts: (string | Placeholder)[]
}

/** Why a template was refused, and where: offset into the text, 1-based line and column. */
export interface TemplateFault {
  message: string
  offset: number
  line: number
  column: number
}

export type ParseResult<T> = { ok: true; template: T } | { ok: false; fault: TemplateFault }

/** What rendering needs besides the context: the two impure functions, injected. */
export interface TemplateFunctions {
  uuid: () => string
  now: () => Date
}
