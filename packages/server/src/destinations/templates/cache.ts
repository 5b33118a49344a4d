import { parseTemplate, parseTextTemplate } from './parse.ts'
import type { ParseResult, Template, TextTemplate } from './types.ts'

/*
 * Parsed templates by text. Every delivery of a destination renders the same template, so the
 * dispatcher parses each once. Bounded: when full it starts over (a process with more than this
 * many distinct templates re-parses, which costs microseconds).
 */

const limit = 1000
const templates = new Map<string, ParseResult<Template>>()
const texts = new Map<string, ParseResult<TextTemplate>>()

function cached<T>(map: Map<string, T>, key: string, parse: (text: string) => T): T {
  const found = map.get(key)
  if (found) return found
  if (map.size >= limit) map.clear()
  const parsed = parse(key)
  map.set(key, parsed)
  return parsed
}

/** @example parsedTemplate('{"a": {{$.event.type}}}') // same object on every call */
export function parsedTemplate(text: string): ParseResult<Template> {
  return cached(templates, text, parseTemplate)
}

/** @example parsedTextTemplate('Bearer {{$.event.project.id}}') */
export function parsedTextTemplate(text: string): ParseResult<TextTemplate> {
  return cached(texts, text, parseTextTemplate)
}
