import type { PresetDefinition } from './preset-types.ts'
import { urlOption } from './preset-types.ts'

/*
 * Datadog logs intake v2 (docs.datadoghq.com/api/latest/logs/send-logs): POST a JSON array of
 * logs to https://http-intake.logs.<site>/api/v2/logs with `DD-API-KEY`. Limits per request:
 * 5 MB uncompressed, 1 MB per log, 1,000 logs per array. We send one log per delivery, capped at
 * 1,000,000 bytes (Datadog would accept and truncate a larger one; we cut the longest strings
 * instead, so the JSON stays whole).
 */

/** The Datadog sites, as Datadog names them (the part after `app.` in the UI's address). */
export const datadogSites = [
  'datadoghq.com',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'datadoghq.eu',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'uk1.datadoghq.com',
  'ddog-gov.com',
  'us2.ddog-gov.com',
] as const

export const datadogPreset: PresetDefinition = {
  name: 'datadog',
  title: 'Datadog logs (HTTP intake v2)',
  options: {
    apiKey: { description: 'A Datadog API key.', required: true, secret: true },
    site: {
      description: 'The Datadog site of the account.',
      choices: datadogSites,
      default: 'datadoghq.com',
    },
    service: { description: 'The `service` of the logs.', default: 'switchyard' },
    ddsource: { description: 'The `ddsource` of the logs.', default: 'switchyard' },
    tags: { description: 'Extra `ddtags`, like "env:prod".', list: true, default: [] },
    url: urlOption("Send here instead of the site's intake (a proxy, or a test receiver)."),
  },
  endpoint: (options) => ({
    url:
      (options.url as string | undefined) ??
      `https://http-intake.logs.${options.site as string}/api/v2/logs`,
  }),
  headers: (options) => ({ 'DD-API-KEY': options.apiKey as string }),
  context: (options) => ({
    service: options.service,
    ddsource: options.ddsource,
    // ddtags is one comma-separated string; the event's type always leads.
    tags: (options.tags as string[]).map((tag) => `,${tag}`).join(''),
  }),
  templates: {
    default: String.raw`[{
  "ddsource": {{$.preset.ddsource}},
  "ddtags": "event_type:{{$.event.type}}{{$.preset.tags}}",
  "service": {{$.preset.service}},
  "status": "error",
  "timestamp": {{$.event.timestamp}},
  "message": {{$.event.message}},
  "switchyard": {{$.event}}
}]`,
  },
  limits: { maxBodyBytes: 1_000_000 },
}
