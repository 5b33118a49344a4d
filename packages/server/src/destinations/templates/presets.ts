import { datadogPreset } from './datadog.ts'
import { newRelicPreset } from './newrelic.ts'
import {
  presetNames,
  type OptionSpec,
  type PresetDefinition,
  type PresetName,
  type PresetOptions,
  type StoredPreset,
} from './preset-types.ts'
import { sentryPreset } from './sentry.ts'
import { slackPreset } from './slack.ts'

/** Every preset, by name. */
export const presets: Readonly<Record<PresetName, PresetDefinition>> = {
  slack: slackPreset,
  datadog: datadogPreset,
  newrelic: newRelicPreset,
  sentry: sentryPreset,
}

export const redactedOption = '[redacted]'

/** One option that does not pass; `option` is null for the preset name itself. */
export interface PresetFault {
  option: string | null
  message: string
  allowed?: readonly string[]
}

/** A preset whose options pass: its definition, options with defaults, and its endpoint. */
export interface ResolvedPreset {
  definition: PresetDefinition
  options: PresetOptions
  url: string
}

/**
 * Checks a preset's options and fills in defaults. A secret option sent as `[redacted]` (as a
 * read shows it) keeps the value of `current` when that is the same preset.
 * @example resolvePreset({ preset: 'datadog', apiKey: 'k', site: 'datadoghq.eu' }, null)
 * // { ok: true, preset: { definition, options, url: 'https://http-intake.logs.datadoghq.eu/api/v2/logs' } }
 */
export function resolvePreset(
  input: StoredPreset,
  current: StoredPreset | null,
):
  | { ok: true; preset: ResolvedPreset; stored: StoredPreset }
  | { ok: false; faults: PresetFault[] } {
  const name = input.preset
  if (!(presetNames as readonly string[]).includes(name)) {
    const message = `"${name}" is not a preset; the presets are ${presetNames.join(', ')}`
    return { ok: false, faults: [{ option: null, message, allowed: presetNames }] }
  }
  const definition = presets[name as PresetName]
  const kept = current?.preset === name ? current : null
  const unknown = Object.keys(input).filter(
    (k) => k !== 'preset' && !Object.hasOwn(definition.options, k),
  )
  const faults: PresetFault[] = unknown.map((option) => ({
    option,
    message: `is not an option of the ${name} preset`,
    allowed: Object.keys(definition.options),
  }))
  const options: PresetOptions = {}
  for (const [option, spec] of Object.entries(definition.options)) {
    const given = input[option] === redactedOption && spec.secret ? kept?.[option] : input[option]
    const checked = checkOption(option, spec, given)
    if ('fault' in checked) faults.push(checked.fault)
    else if (checked.value !== undefined) options[option] = checked.value
  }
  if (faults.length > 0) return { ok: false, faults }
  const endpoint = definition.endpoint(options)
  if ('option' in endpoint) return { ok: false, faults: [endpoint] }
  const stored = { preset: name, ...storedOptions(definition, options) }
  return { ok: true, preset: { definition, options, url: endpoint.url }, stored }
}

function checkOption(
  option: string,
  spec: OptionSpec,
  given: unknown,
): { value: string | string[] | undefined } | { fault: PresetFault } {
  const fault = (message: string, allowed?: readonly string[]) => ({
    fault: { option, message, ...(allowed ? { allowed } : {}) },
  })
  if (given === undefined || given === null) {
    if (spec.required) return fault(`is required by this preset (${spec.description})`)
    return {
      value:
        spec.default === undefined
          ? undefined
          : (structuredClone(spec.default) as string | string[]),
    }
  }
  const values = spec.list ? given : [given]
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'string' || v.length === 0))
    return fault(spec.list ? 'must be a list of non-empty strings' : 'must be a non-empty string')
  if (values.some((v: string) => /[\r\n\0]/.test(v))) return fault('must not contain line breaks')
  // A blank API key or DSN is a secret that authenticates nothing.
  if (spec.secret && values.some((v: string) => v.trim() === ''))
    return fault('is a secret and must not be blank')
  const outside = spec.choices ? values.find((v: string) => !spec.choices!.includes(v)) : undefined
  if (outside !== undefined) return fault(`"${outside}" is not one of the choices`, spec.choices)
  return { value: spec.list ? [...(values as string[])] : (values[0] as string) }
}

/** Only options the caller set or that have defaults are stored; absent ones stay absent. */
function storedOptions(definition: PresetDefinition, options: PresetOptions): PresetOptions {
  return Object.fromEntries(
    Object.keys(definition.options).flatMap((k) => (k in options ? [[k, options[k]!]] : [])),
  )
}

/**
 * A preset as reads show it: secret options as `[redacted]`.
 * @example redactPreset({ preset: 'datadog', apiKey: 'k' }) // { preset: 'datadog', apiKey: '[redacted]' }
 */
export function redactPreset(stored: StoredPreset): StoredPreset {
  const definition = presets[stored.preset as PresetName]
  return Object.fromEntries(
    Object.entries(stored).map(([k, v]) => [
      k,
      definition?.options[k]?.secret ? redactedOption : v,
    ]),
  ) as StoredPreset
}

/** Whether reads must hide the destination URL (it is the preset's secret). */
export function presetUrlIsSecret(stored: StoredPreset): boolean {
  return presets[stored.preset as PresetName]?.secretUrl === true
}
