/**
 * Request templates: JSON text with `{{ $.event… }}` placeholders, and the service presets
 * (Slack, Datadog, New Relic, Sentry) built on them. See docs/destinations.md.
 * @example
 * const parsed = parseTemplate('{"text": "{{$.event.message}}"}')
 * if (parsed.ok) renderTemplate(parsed.template, { event }, { uuid, now })
 */
export type {
  ParseResult,
  Placeholder,
  Template,
  TemplateFault,
  TemplateFunctions,
  TextTemplate,
} from './types.ts'
export { parseTemplate, parseTextTemplate, placeholdersOf, faultAt } from './parse.ts'
export { renderTemplate, renderText } from './render.ts'
export { pathFaults, canResolve } from './check.ts'
export { fitWithin, type BodyLimits } from './fit.ts'
export { deliveryUuids, templateFunctionsFor } from './functions.ts'
export {
  presets,
  resolvePreset,
  redactPreset,
  presetUrlIsSecret,
  redactedOption,
  type PresetFault,
  type ResolvedPreset,
} from './presets.ts'
export {
  presetNames,
  type PresetDefinition,
  type PresetName,
  type StoredPreset,
} from './preset-types.ts'
export { parseDsn } from './sentry.ts'
export { datadogSites } from './datadog.ts'
export { parsedTemplate, parsedTextTemplate } from './cache.ts'
