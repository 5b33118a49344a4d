import { JSONPath } from 'jsonpath-plus'
import type {
  Expression,
  Placeholder,
  Template,
  TemplateFunctions,
  TemplateNode,
  TextTemplate,
} from './types.ts'

/** How inserted text is escaped inside strings (Slack's mrkdwn needs &, < and > escaped). */
export type TextEscape = (text: string) => string

interface Rendering {
  context: object
  fns: TemplateFunctions
  escape: TextEscape
}

/**
 * Renders a parsed template into a JSON value. Pure apart from the injected functions.
 * A whole-value placeholder that finds nothing leaves its member or item out (null at the top);
 * one inside a string inserts '' for nothing or null, the text of a string, number or boolean,
 * and the JSON text of an object or array.
 * @example renderTemplate(parsed, { event }, { uuid, now }) // { text: 'Workflow “Sync“ failed…' }
 */
export function renderTemplate(
  template: Template,
  context: object,
  fns: TemplateFunctions,
  options: { escape?: TextEscape } = {},
): unknown {
  const rendering = { context, fns, escape: options.escape ?? ((text: string) => text) }
  return renderNode(template.root, rendering) ?? null
}

/**
 * Renders a text template (a header value). Line breaks in inserted text become spaces, so a
 * value can never split the header.
 * @example renderText(parseTextTemplate('{{$.event.type}}'), { event }, fns) // 'workflow_failure'
 */
export function renderText(
  template: TextTemplate,
  context: object,
  fns: TemplateFunctions,
): string {
  const rendering = { context, fns, escape: (text: string) => text.replace(/[\r\n\0]+/g, ' ') }
  return renderParts(template.parts, rendering)
}

function renderNode(node: TemplateNode, r: Rendering): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value
    case 'string':
      return renderParts(node.parts, r)
    case 'array':
      return node.items.map((item) => renderNode(item, r)).filter((v) => v !== undefined)
    case 'object':
      return Object.fromEntries(
        node.members.flatMap((m) => {
          const value = renderNode(m.value, r)
          return value === undefined ? [] : [[renderParts(m.key.parts, r), value]]
        }),
      )
    case 'insert':
      return evaluate(node.placeholder.expression, r)
  }
}

function renderParts(parts: readonly (string | Placeholder)[], r: Rendering): string {
  return parts
    .map((part) =>
      typeof part === 'string' ? part : r.escape(textOf(evaluate(part.expression, r))),
    )
    .join('')
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

/** One match is its value; several are an array of them; none is undefined. */
function evaluate(expression: Expression, r: Rendering): unknown {
  if (expression.kind === 'call')
    return expression.name === 'uuid' ? r.fns.uuid() : r.fns.now().toISOString()
  // eval: false — filter and script expressions are refused at parse time, and off here too.
  const matches = JSONPath({
    path: expression.path,
    json: r.context,
    wrap: true,
    eval: false,
  }) as unknown[]
  if (matches.length === 0) return undefined
  return matches.length === 1 ? matches[0] : matches
}
