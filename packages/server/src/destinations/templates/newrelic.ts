import type { PresetDefinition } from './preset-types.ts'
import { urlOption } from './preset-types.ts'

/*
 * New Relic Log API (docs.newrelic.com/docs/logs/log-api/introduction-log-api): POST JSON to
 * the account's region endpoint with `Api-Key` (a license key or an insert key). Detailed
 * format: `[{common: {attributes}, logs: [{timestamp, message, attributes}]}]`. Limits: 1 MB
 * (10^6 bytes) per POST, 255 attributes per event, 4,096 characters per attribute value.
 */

export const newRelicEndpoints = {
  US: 'https://log-api.newrelic.com/log/v1',
  EU: 'https://log-api.eu.newrelic.com/log/v1',
} as const

export const newRelicPreset: PresetDefinition = {
  name: 'newrelic',
  title: 'New Relic Log API',
  options: {
    apiKey: { description: 'A New Relic license key or insert key.', required: true, secret: true },
    region: {
      description: 'The data center of the account.',
      choices: ['US', 'EU'],
      default: 'US',
    },
    service: { description: 'The `service` attribute of the logs.', default: 'switchyard' },
    url: urlOption("Send here instead of the region's endpoint (a proxy, or a test receiver)."),
  },
  endpoint: (options) => ({
    url:
      (options.url as string | undefined) ??
      newRelicEndpoints[options.region as keyof typeof newRelicEndpoints],
  }),
  headers: (options) => ({ 'Api-Key': options.apiKey as string }),
  context: (options) => ({ service: options.service }),
  templates: {
    default: String.raw`[{
  "common": {"attributes": {"service": {{$.preset.service}}, "logtype": "switchyard"}},
  "logs": [{
    "timestamp": {{$.event.timestamp}},
    "message": {{$.event.message}},
    "attributes": {"level": "error", "event.type": {{$.event.type}}, "switchyard": {{$.event}}}
  }]
}]`,
  },
  limits: { maxBodyBytes: 1_000_000, maxStringChars: 4096 },
}
