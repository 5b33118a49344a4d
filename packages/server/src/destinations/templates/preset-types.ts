import type { CanonicalType } from '../../catalog/index.ts'
import type { BodyLimits } from './fit.ts'
import type { TextEscape } from './render.ts'

export const presetNames = ['slack', 'datadog', 'newrelic', 'sentry'] as const
export type PresetName = (typeof presetNames)[number]

/** A preset's option values, defaults filled in. */
export type PresetOptions = Record<string, string | string[]>

/**
 * A preset as the API takes it and the store keeps it:
 * `{ "preset": "datadog", "apiKey": "…", "site": "datadoghq.eu" }`.
 */
export interface StoredPreset {
  preset: string
  [option: string]: string | string[]
}

export interface OptionSpec {
  description: string
  required?: boolean
  /** Never shown back in full: reads show `[redacted]`, and sending that back keeps the value. */
  secret?: boolean
  /** The only values allowed. */
  choices?: readonly string[]
  /** A list of strings rather than one. */
  list?: boolean
  default?: string | readonly string[]
}

/** Where a preset's request goes, or which option makes that impossible and why. */
export type EndpointResult = { url: string } | { option: string; message: string }

/**
 * A service's request shape, kept as data: options, endpoint, headers, a body template per
 * event type (`default` for the rest) and the service's documented limits.
 */
export interface PresetDefinition {
  name: PresetName
  title: string
  options: Readonly<Record<string, OptionSpec>>
  endpoint(options: PresetOptions): EndpointResult
  headers(options: PresetOptions): Record<string, string>
  /** What templates read as `$.preset`: never a secret. */
  context(options: PresetOptions): Record<string, unknown>
  templates: { default: string } & Partial<Record<CanonicalType, string>>
  limits: BodyLimits
  /** How text inserted into strings is escaped (Slack mrkdwn). */
  escape?: TextEscape
  /** The endpoint itself is the secret (Slack's webhook URL): reads show only its origin. */
  secretUrl?: boolean
}

/** The `url` option every preset has: its endpoint, or an override of the computed one. */
export function urlOption(description: string, required = false): OptionSpec {
  return { description, ...(required ? { required, secret: true } : {}) }
}
