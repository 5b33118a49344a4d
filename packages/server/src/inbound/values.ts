import { JSONPath } from 'jsonpath-plus'
import { linearRegExp } from './linear-regex.ts'
import type { RequestView, ValueSource } from './types.ts'

/**
 * Every value `source` names in the request: header (the first listed that is present, or all
 * of them with `allHeaders`), query parameter or JSONPath into the body; then the prefix is
 * stripped or the regex's group 1 kept (each match, so `v1=…,v1=…` yields both).
 * @example readValues({ header: 'stripe-signature', regex: 'v1=([0-9a-f]+)' }, view)
 */
export function readValues(
  source: ValueSource,
  view: RequestView,
  options: { allHeaders?: boolean } = {},
): string[] {
  return extract(rawValues(source, view, options.allHeaders ?? false), source)
}

function rawValues(source: ValueSource, view: RequestView, allHeaders: boolean): string[] {
  if (source.header !== undefined) {
    const names = Array.isArray(source.header) ? source.header : [source.header]
    const present = names.flatMap((n) => {
      const value = view.headers[n.toLowerCase()]
      return value === undefined ? [] : [value]
    })
    return allHeaders ? present : present.slice(0, 1)
  }
  if (source.query !== undefined) {
    const value = view.query[source.query]
    return value === undefined ? [] : [value]
  }
  if (source.bodyPath !== undefined) return jsonPathValues(source.bodyPath, view.json())
  return []
}

function extract(values: string[], source: ValueSource): string[] {
  if (source.regex !== undefined) {
    // Saved before regexes had to run in linear time, and cannot: it finds nothing.
    const pattern = linearRegExp(source.regex)
    if (!pattern) return []
    return values.flatMap((v) => [...v.matchAll(pattern)].map((m) => m[1] ?? m[0]))
  }
  if (source.prefix !== undefined) {
    const prefix = source.prefix
    return values.filter((v) => v.startsWith(prefix)).map((v) => v.slice(prefix.length))
  }
  return values
}

/**
 * The scalar values a JSONPath finds, as strings (numbers and booleans stringified).
 * @example jsonPathValues('$.team_id', { team_id: 'T1' }) // ['T1']
 */
export function jsonPathValues(path: string, json: unknown): string[] {
  if (json === undefined || json === null || typeof json !== 'object') return []
  if (descents(path) > 1) return [] // saved before the limit: finds nothing
  const found = JSONPath({ path, json: json as object, wrap: true }) as unknown[]
  return found.flatMap((v) =>
    typeof v === 'string'
      ? [v]
      : typeof v === 'number' || typeof v === 'boolean'
        ? [String(v)]
        : [],
  )
}

/** The items a JSONPath finds (objects too), for splitting array payloads. */
export function jsonPathItems(path: string, json: unknown): unknown[] {
  if (json === undefined || json === null || typeof json !== 'object') return []
  if (descents(path) > 1) return [] // saved before the limit: finds nothing
  const found = JSONPath({ path, json: json as object, wrap: true }) as unknown[]
  return found.length === 1 && Array.isArray(found[0]) ? found[0] : found
}

/** Checks a JSONPath at save time. @returns null when it parses and is bounded, else why not */
export function jsonPathProblem(path: string): string | null {
  if (!path.startsWith('$')) return 'must be a JSONPath starting with $'
  try {
    JSONPath.toPathArray(path)
    JSONPath({ path, json: { probe: [{}] }, wrap: true })
  } catch (error) {
    return `is not a valid JSONPath: ${(error as Error).message}`
  }
  return descents(path) > 1 ? 'may use recursive descent (..) once' : null
}

/**
 * How many recursive descents (`..`) a path has. Each after the first multiplies the work over
 * a body by its depth, on the thread that answers every project's requests, over a body anyone
 * can send: `$..*..*..*` over a 182 KB body took 14 s (issue 24, beside item 4).
 */
function descents(path: string): number {
  return JSONPath.toPathArray(path).filter((step) => step === '..').length
}
