import type { CanonicalType } from '../catalog/index.ts'
import {
  fitWithin,
  parsedTemplate,
  parsedTextTemplate,
  renderTemplate,
  renderText,
  resolvePreset,
  type ResolvedPreset,
  type StoredPreset,
  type TemplateFunctions,
} from './templates/index.ts'

/** What a webhook destination's request is made of (a saved row's fields, or a test's). */
export interface WebhookShape {
  url: string
  headers: Record<string, string>
  /** A custom body template; null sends the rendered event. */
  template: string | null
  preset: StoredPreset | null
}

/** The request to sign and send, or why nothing can be sent. */
export type RenderedRequest =
  | { ok: true; url: string; headers: Record<string, string>; body: string }
  | { ok: false; error: string }

/**
 * Builds a webhook request from the event rendered in the destination's wire format: the
 * preset's or custom template's body (the rendered event itself without one) and the headers
 * with their placeholders filled. Pure apart from `fns` (uuid(), now()).
 * @example renderWebhookRequest(shape, { type: 'workflow.failed', body }, templateFunctionsFor(id, now))
 */
export function renderWebhookRequest(
  shape: WebhookShape,
  event: { type: CanonicalType; body: unknown },
  fns: TemplateFunctions,
): RenderedRequest {
  const context = { event: event.body }
  const headers = Object.fromEntries(
    Object.entries(shape.headers).map(([name, value]) => [name, headerValue(value, context, fns)]),
  )
  if (shape.preset) {
    const resolved = resolvePreset(shape.preset, null)
    if (!resolved.ok) {
      const fault = resolved.faults[0]!
      return {
        ok: false,
        error: `the ${shape.preset.preset} preset's ${fault.option ?? 'name'} ${fault.message}; nothing was sent`,
      }
    }
    return presetRequest(shape.url, headers, resolved.preset, event, fns)
  }
  if (shape.template === null)
    return { ok: true, url: shape.url, headers, body: JSON.stringify(event.body) }
  const parsed = parsedTemplate(shape.template)
  if (!parsed.ok)
    return {
      ok: false,
      error: `the template does not parse (${parsed.fault.message}); nothing was sent`,
    }
  const body = JSON.stringify(renderTemplate(parsed.template, context, fns))
  return { ok: true, url: shape.url, headers, body }
}

function presetRequest(
  url: string,
  headers: Record<string, string>,
  { definition, options }: ResolvedPreset,
  event: { type: CanonicalType; body: unknown },
  fns: TemplateFunctions,
): RenderedRequest {
  const parsed = parsedTemplate(definition.templates[event.type] ?? definition.templates.default)
  // Preset templates are code, parsed in the tests: a fault here is a bug.
  if (!parsed.ok) throw new Error(`the ${definition.name} template: ${parsed.fault.message}`)
  const context = { event: event.body, preset: definition.context(options) }
  const value = renderTemplate(parsed.template, context, fns, { escape: definition.escape })
  return {
    ok: true,
    url,
    // The preset's own headers (its credentials) win over custom ones of the same name.
    headers: { ...headers, ...definition.headers(options) },
    body: JSON.stringify(fitWithin(value, definition.limits)),
  }
}

function headerValue(value: string, context: object, fns: TemplateFunctions): string {
  if (!value.includes('{{')) return value
  const parsed = parsedTextTemplate(value)
  // Checked at save time; a value that stopped parsing is sent as written.
  return parsed.ok ? renderText(parsed.template, context, fns) : value
}
