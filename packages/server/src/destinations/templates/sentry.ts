import { version } from '../../version.ts'
import type { PresetDefinition, PresetOptions } from './preset-types.ts'
import { urlOption } from './preset-types.ts'

/*
 * Sentry store endpoint (develop.sentry.dev/sdk/event-payloads, …/overview#authentication):
 * POST an event to {scheme}://{host}{path}/api/{project}/store/ with
 * `X-Sentry-Auth: Sentry sentry_version=7, sentry_client=…, sentry_key=<public key>`, all taken
 * from the DSN {scheme}://{public key}[:{secret}]@{host}{path}/{project}. Required: `event_id`
 * (32 lowercase hex digits, a fresh one per delivery), `timestamp`, `platform` (one of Sentry's
 * list; "other" here). Limits: 1 MB per event uncompressed; `message` is trimmed at 8,192.
 */

export interface ParsedDsn {
  storeUrl: string
  publicKey: string
  secretKey: string | null
}

/**
 * Reads a Sentry DSN.
 * @returns the store endpoint and keys, or why the DSN is not one
 * @example parseDsn('https://abc123@o0.ingest.sentry.io/42').storeUrl // 'https://o0.ingest.sentry.io/api/42/store/'
 */
export function parseDsn(dsn: string): ParsedDsn | { fault: string } {
  let url: URL
  try {
    url = new URL(dsn)
  } catch {
    return { fault: 'is not a DSN: copy it from Sentry (Project Settings → Client Keys)' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { fault: 'must be an http or https DSN' }
  if (!url.username) return { fault: 'has no public key (https://<key>@<host>/<project id>)' }
  const path = url.pathname.replace(/\/+$/, '').split('/')
  const projectId = path.pop() ?? ''
  if (!/^\d+$/.test(projectId)) return { fault: 'does not end with a numeric project id' }
  return {
    storeUrl: `${url.protocol}//${url.host}${path.join('/')}/api/${projectId}/store/`,
    publicKey: decodeURIComponent(url.username),
    secretKey: url.password ? decodeURIComponent(url.password) : null,
  }
}

function dsnOf(options: PresetOptions): ParsedDsn {
  const parsed = parseDsn(options.dsn as string)
  // endpoint() refused a bad DSN at save time; one that went bad since fails here, loudly.
  if ('fault' in parsed) throw new Error(`the stored Sentry DSN ${parsed.fault}`)
  return parsed
}

/**
 * The event body. Issues group by type, integration and (for workflow failures) workflow, not
 * by the message, which names the user: one failing workflow is one issue, not one per user.
 */
function sentryTemplate(workflow: boolean): string {
  const workflowId = workflow ? ', "{{$.event.workflow.id}}"' : ''
  const workflowTag = workflow ? ',\n    "workflow": {{$.event.workflow.name}}' : ''
  return String.raw`{
  "event_id": "{{uuid()}}",
  "timestamp": {{$.event.timestampISO}},
  "platform": "other",
  "level": {{$.preset.level}},
  "logger": "switchyard",
  "environment": {{$.preset.environment}},
  "logentry": {"formatted": {{$.event.message}}},
  "fingerprint": ["{{$.event.type}}", "{{$.event.integration.type}}"${workflowId}],
  "tags": {
    "event_type": {{$.event.type}},
    "project": {{$.event.project.name}},
    "integration": {{$.event.integration.type}}${workflowTag}
  },
  "user": {"id": {{$.event.user.id}}},
  "extra": {"event": {{$.event}}}
}`
}

export const sentryLevels = ['fatal', 'error', 'warning', 'info', 'debug'] as const

export const sentryPreset: PresetDefinition = {
  name: 'sentry',
  title: 'Sentry (store endpoint)',
  options: {
    dsn: { description: "The project's DSN.", required: true, secret: true },
    environment: { description: "The events' `environment`.", default: 'production' },
    level: { description: "The events' `level`.", choices: sentryLevels, default: 'error' },
    url: urlOption("Send here instead of the DSN's store endpoint (a relay, or a test receiver)."),
  },
  endpoint: (options) => {
    const parsed = parseDsn(options.dsn as string)
    if ('fault' in parsed) return { option: 'dsn', message: parsed.fault }
    return { url: (options.url as string | undefined) ?? parsed.storeUrl }
  },
  headers: (options) => {
    const { publicKey, secretKey } = dsnOf(options)
    const secret = secretKey ? `, sentry_secret=${secretKey}` : ''
    return {
      'X-Sentry-Auth': `Sentry sentry_version=7, sentry_client=switchyard/${version}, sentry_key=${publicKey}${secret}`,
    }
  },
  context: (options) => ({ environment: options.environment, level: options.level }),
  templates: { 'workflow.failed': sentryTemplate(true), default: sentryTemplate(false) },
  limits: { maxBodyBytes: 1_000_000, maxStringChars: 8192 },
}
