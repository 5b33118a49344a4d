import type { JsonSchema } from '../../catalog/index.ts'
import type { Placeholder } from './types.ts'

/*
 * Save-time path checks: a placeholder whose path can never resolve against the body schema of
 * any event the destination receives is a mistake (a typo, or a field of another format), so it
 * is refused with its position rather than rendering an empty value on every delivery.
 * "Can never" is decided conservatively: wildcards, recursive descent and open objects pass.
 */

/**
 * The placeholders whose path reads no root of `roots`, or resolves in none of its schemas.
 * @param roots the context's top-level names and the schemas each may have
 * @example pathFaults(placeholders, { event: [monitoringWorkflowFailureSchema] })
 */
export function pathFaults(
  placeholders: readonly Placeholder[],
  roots: Readonly<Record<string, readonly JsonSchema[]>>,
): { placeholder: Placeholder; message: string }[] {
  return placeholders.flatMap((placeholder) => {
    const { expression } = placeholder
    if (expression.kind !== 'path') return []
    const [, root, ...rest] = expression.segments
    if (root === undefined || root === '*' || root === '..') return []
    const schemas = Object.hasOwn(roots, root) ? roots[root]! : null
    if (schemas === null) {
      const names = Object.keys(roots).map((name) => `$.${name}`)
      return [
        {
          placeholder,
          message: `"${expression.path}" reads $.${root}; templates read ${names.join(' and ')}`,
        },
      ]
    }
    if (schemas.some((schema) => canResolve(schema, rest))) return []
    return [
      {
        placeholder,
        message: `"${expression.path}" never resolves in the events this destination receives`,
      },
    ]
  })
}

/**
 * Whether a path (segments after the root) can resolve in a value valid against `schema`.
 * @example canResolve({ type: 'object', properties: { a: { type: 'string' } } }, ['a']) // true
 */
export function canResolve(schema: JsonSchema, segments: readonly string[]): boolean {
  if (segments.length === 0) return true
  const branches = ['anyOf', 'oneOf', 'allOf'].flatMap((k) =>
    Array.isArray(schema[k]) ? (schema[k] as JsonSchema[]) : [],
  )
  if (branches.some((branch) => canResolve(branch, segments))) return true
  if (isUnconstrained(schema)) return true
  const [head, ...rest] = segments as [string, ...string[]]
  // Recursive descent and jsonpath-plus's own tokens (@path, ^, ~) cannot be ruled out cheaply.
  if (head === '..' || head === '^' || head === '~' || head.startsWith('@')) return true
  return childrenAt(schema, head).some((child) => canResolve(child, rest))
}

const constraining = ['type', 'properties', 'items', 'const', 'enum', 'anyOf', 'oneOf', 'allOf']

function isUnconstrained(schema: JsonSchema): boolean {
  return !constraining.some((key) => key in schema)
}

function allows(schema: JsonSchema, type: 'object' | 'array'): boolean {
  const declared = schema.type
  if (declared === undefined) return type === 'object' ? 'properties' in schema : 'items' in schema
  return Array.isArray(declared) ? declared.includes(type) : declared === type
}

/** The schemas a step can land on; an empty list when it can land nowhere. */
function childrenAt(schema: JsonSchema, head: string): JsonSchema[] {
  const children: JsonSchema[] = []
  if (allows(schema, 'object')) {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
    const extra = schema.additionalProperties
    if (head === '*') children.push(...Object.values(properties))
    else if (Object.hasOwn(properties, head)) children.push(properties[head]!)
    if (extra !== false && (head === '*' || !Object.hasOwn(properties, head)))
      children.push(typeof extra === 'object' && extra !== null ? (extra as JsonSchema) : {})
  }
  const index = head === '*' || /^-?\d+$/.test(head) || /^-?\d*:-?\d*(:-?\d+)?$/.test(head)
  if (allows(schema, 'array') && index) {
    const items = schema.items
    children.push(typeof items === 'object' && items !== null ? (items as JsonSchema) : {})
  }
  return children
}
