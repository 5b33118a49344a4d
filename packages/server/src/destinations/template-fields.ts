import {
  bodySchema,
  canonicalTypes,
  type CanonicalType,
  type JsonSchema,
  type WireFormat,
} from '../catalog/index.ts'
import { apiError } from '../errors.ts'
import {
  faultAt,
  parseTemplate,
  parseTextTemplate,
  pathFaults,
  placeholdersOf,
  resolvePreset,
  type Placeholder,
  type StoredPreset,
  type TemplateFault,
} from './templates/index.ts'
import { checkTargetUrl } from './validate.ts'

/*
 * Save-time checks of a webhook destination's template, preset and header placeholders. A
 * fault is refused with where it is: the field, and the line, column and offset in its text.
 */

/** Which events a destination receives, for checking what its placeholders read. */
export interface TemplateScope {
  format: WireFormat
  /** Canonical types of the event filter; null for every type. */
  eventTypes: readonly string[] | null
}

/** The body schemas of the events a destination receives, in its format. */
export function eventBodySchemas(scope: TemplateScope): JsonSchema[] {
  const types = (scope.eventTypes ?? canonicalTypes) as readonly CanonicalType[]
  return types.flatMap((type) => {
    const schema = bodySchema(scope.format, type)
    return schema ? [schema] : []
  })
}

/**
 * Checks a custom body template: it parses, and every path can resolve in some event the
 * destination receives.
 * @throws invalid_template with `details: [{ path, message, line, column, offset }]`
 * @example checkCustomTemplate('{"text": "{{$.event.message}}"}', { format: 'monitoring', eventTypes: null })
 */
export function checkCustomTemplate(
  text: string,
  scope: TemplateScope,
  path = '/template',
): string {
  const parsed = parseTemplate(text)
  if (!parsed.ok) throw templateError([{ path, ...parsed.fault }])
  refuseUnresolvable(text, placeholdersOf(parsed.template.root), scope, path)
  return text
}

/**
 * Checks the placeholders in custom header values (values without `{{` are plain text).
 * @throws invalid_template with the header's path and the position in its value
 */
export function checkHeaderTemplates(headers: Record<string, string>, scope: TemplateScope): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!value.includes('{{')) continue
    const path = `/headers/${name}`
    const parsed = parseTextTemplate(value)
    if (!parsed.ok) throw templateError([{ path, ...parsed.fault }])
    refuseUnresolvable(value, parsed.template.parts.filter(isPlaceholder), scope, path)
  }
}

/**
 * Checks a preset and its options; presets render the `monitoring` format.
 * @param current the stored preset, whose secrets a `[redacted]` option keeps
 * @throws invalid_preset with `details: [{ path: '/template/<option>', message, allowed? }]`
 */
export function checkPreset(
  input: StoredPreset,
  current: StoredPreset | null,
  format: WireFormat,
): { stored: StoredPreset; url: string } {
  const resolved = resolvePreset(input, current)
  if (!resolved.ok) {
    const details = resolved.faults.map(({ option, ...fault }) => ({
      path: `/template/${option ?? 'preset'}`,
      ...fault,
    }))
    throw apiError('invalid_preset', `${details[0]!.path} ${details[0]!.message}`, details)
  }
  if (format !== 'monitoring') {
    throw apiError('invalid_preset', 'Presets render the monitoring format.', [
      { path: '/format', message: 'must be "monitoring" (or left out) with a preset' },
    ])
  }
  return { stored: resolved.stored, url: checkTargetUrl(resolved.preset.url, '/template/url') }
}

function refuseUnresolvable(
  text: string,
  placeholders: readonly Placeholder[],
  scope: TemplateScope,
  path: string,
): void {
  const faults = pathFaults(placeholders, { event: eventBodySchemas(scope) })
  if (faults.length === 0) return
  throw templateError(
    faults.map(({ placeholder, message }) => ({
      path,
      ...faultAt(text, placeholder.offset, `${message} (${scope.format} format)`),
    })),
  )
}

function templateError(details: ({ path: string } & TemplateFault)[]) {
  const first = details[0]!
  const where = `${first.path} at line ${first.line}, column ${first.column}`
  return apiError('invalid_template', `${where}: ${first.message}`, details)
}

function isPlaceholder(part: string | Placeholder): part is Placeholder {
  return typeof part !== 'string'
}
