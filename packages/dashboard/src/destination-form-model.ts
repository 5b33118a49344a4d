import { SwitchyardApiError } from './api.ts'
import type {
  Destination,
  DestinationIn,
  DestinationType,
  PresetName,
  PresetTemplate,
  WireFormat,
} from './api-types.ts'
import { redactedValue, toHeaders, toRows, type HeaderRow } from './components/headers-editor.tsx'

/*
 * The destination editor's state and its mapping to and from the API (docs/destinations.md):
 * a webhook (default body, custom template or service preset), an email destination, or a
 * message-broker destination (rabbitmq, nats, redis: docs/brokers.md).
 */

export const brokerTypes = ['rabbitmq', 'nats', 'redis'] as const
export type BrokerType = (typeof brokerTypes)[number]
/** How the form and the detail page name each type. */
export const typeLabel: Record<DestinationType, string> = {
  webhook: 'Webhook',
  email: 'Email',
  rabbitmq: 'RabbitMQ',
  nats: 'NATS JetStream',
  redis: 'Redis Stream',
}

/** Where a broker destination publishes, as its detail page shows it. */
export function brokerSummary(d: Pick<Destination, 'type' | 'broker'>): string | null {
  const b = d.broker
  if (!b) return null
  const where =
    d.type === 'nats'
      ? `subject ${b.subject}`
      : d.type === 'redis'
        ? `stream ${b.stream}`
        : b.queue
          ? `queue ${b.queue}`
          : `exchange "${b.exchange ?? ''}" routing key ${b.routingKey}`
  return `${typeLabel[d.type]}: ${b.url} ${where}`
}

export const isBroker = (type: DestinationType): type is BrokerType =>
  (brokerTypes as readonly string[]).includes(type)

/** A broker destination's settings as typed; empty fields are left out of the request. */
export interface BrokerFields {
  url: string
  exchange: string
  routingKey: string
  queue: string
  subject: string
  stream: string
  maxLen: string
}

const blankBroker: BrokerFields = {
  url: '',
  exchange: '',
  routingKey: '',
  queue: '',
  subject: '',
  stream: '',
  maxLen: '',
}

export type PayloadKind = 'default' | 'custom' | 'preset'

export interface PresetOption {
  name: string
  label: string
  required?: boolean
  placeholder?: string
  choices?: readonly string[]
  /** Sent as a list: comma-separated in the form. */
  list?: boolean
}

const urlOverride: PresetOption = {
  name: 'url',
  label: 'URL override (optional: a proxy, a relay, a test receiver)',
  placeholder: 'computed from the options',
}

/** The presets and their options, as docs/destinations.md lists them. */
export const presetOptions: Record<PresetName, { label: string; options: PresetOption[] }> = {
  slack: {
    label: 'Slack',
    options: [
      {
        name: 'url',
        label: 'Incoming webhook URL',
        required: true,
        placeholder: 'https://hooks.slack.com/services/…',
      },
    ],
  },
  datadog: {
    label: 'Datadog',
    options: [
      { name: 'apiKey', label: 'API key (DD-API-KEY)', required: true },
      {
        name: 'site',
        label: 'Site',
        placeholder: 'datadoghq.com',
        choices: [
          'datadoghq.com',
          'us3.datadoghq.com',
          'us5.datadoghq.com',
          'datadoghq.eu',
          'ap1.datadoghq.com',
          'ap2.datadoghq.com',
          'uk1.datadoghq.com',
          'ddog-gov.com',
          'us2.ddog-gov.com',
        ],
      },
      { name: 'service', label: 'Service', placeholder: 'switchyard' },
      { name: 'ddsource', label: 'Source (ddsource)', placeholder: 'switchyard' },
      { name: 'tags', label: 'Extra tags (comma-separated)', placeholder: 'env:prod', list: true },
      urlOverride,
    ],
  },
  newrelic: {
    label: 'New Relic',
    options: [
      { name: 'apiKey', label: 'License or insert key (Api-Key)', required: true },
      { name: 'region', label: 'Region', placeholder: 'US', choices: ['US', 'EU'] },
      { name: 'service', label: 'Service', placeholder: 'switchyard' },
      urlOverride,
    ],
  },
  sentry: {
    label: 'Sentry',
    options: [
      {
        name: 'dsn',
        label: 'DSN',
        required: true,
        placeholder: 'https://<public key>@<host>/<project id>',
      },
      { name: 'environment', label: 'Environment', placeholder: 'production' },
      {
        name: 'level',
        label: 'Level',
        placeholder: 'error',
        choices: ['fatal', 'error', 'warning', 'info', 'debug'],
      },
      urlOverride,
    ],
  },
}
export const presetNames = Object.keys(presetOptions) as PresetName[]

export interface DestinationForm {
  type: DestinationType
  name: string
  url: string
  /** Email recipients, comma- or line-separated. */
  to: string
  events: string[]
  format: WireFormat
  headers: HeaderRow[]
  timeoutSeconds: string
  payload: PayloadKind
  template: string
  preset: PresetName
  /** The chosen preset's options as typed (lists comma-separated). */
  options: Record<string, string>
  broker: BrokerFields
}

export const blankForm: DestinationForm = {
  type: 'webhook',
  name: '',
  url: '',
  to: '',
  events: ['*'],
  format: 'standard',
  headers: [],
  timeoutSeconds: '15',
  payload: 'default',
  template: '{\n  "text": "{{$.event.type}}",\n  "event": {{$.event}}\n}',
  preset: 'slack',
  options: {},
  broker: blankBroker,
}

export function fromDestination(d: Destination): DestinationForm {
  const template = d.template ?? null
  const preset = template !== null && typeof template === 'object' ? template : null
  return {
    ...blankForm,
    type: d.type,
    name: d.name ?? '',
    url: preset ? '' : (d.url ?? ''),
    to: (d.to ?? []).join(', '),
    events: d.events,
    format: d.format,
    headers: toRows(d.headers),
    timeoutSeconds: String((d.timeoutMs ?? 15_000) / 1000),
    payload: preset ? 'preset' : typeof template === 'string' ? 'custom' : 'default',
    template: typeof template === 'string' ? template : blankForm.template,
    preset: preset?.preset ?? blankForm.preset,
    options: preset ? optionsText(preset) : {},
    broker: d.broker
      ? {
          ...blankBroker,
          ...Object.fromEntries(Object.entries(d.broker).map(([k, v]) => [k, String(v)])),
        }
      : blankBroker,
  }
}

/** The `broker` field: the fields the type reads, the empty ones left out. */
function brokerInput(form: DestinationForm): NonNullable<DestinationIn['broker']> {
  const b = form.broker
  const text = (value: string) => (value.trim() === '' ? {} : { value: value.trim() })
  const pick = (name: keyof BrokerFields) => {
    const got = text(b[name])
    return 'value' in got ? { [name]: got.value } : {}
  }
  const url = b.url.trim()
  if (form.type === 'nats') return { url, ...pick('subject') }
  if (form.type === 'redis')
    return { url, ...pick('stream'), ...(b.maxLen.trim() ? { maxLen: Number(b.maxLen) } : {}) }
  if (b.queue.trim()) return { url, queue: b.queue.trim() }
  return { url, exchange: b.exchange.trim(), ...pick('routingKey') }
}

function optionsText({ preset: _, ...options }: PresetTemplate): Record<string, string> {
  return Object.fromEntries(
    Object.entries(options).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
  )
}

const split = (text: string) =>
  text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean)

function presetTemplate(form: DestinationForm): PresetTemplate {
  const template: PresetTemplate = { preset: form.preset }
  for (const option of presetOptions[form.preset].options) {
    const value = form.options[option.name]?.trim()
    if (value) template[option.name] = option.list ? split(value) : value
  }
  return template
}

/**
 * What create, edit and the unsaved test send. On edit, `type` is left out (it is fixed) and
 * headers only when changed (their secrets read back `[redacted]`).
 */
export function toInput(
  form: DestinationForm,
  { editing, headersTouched }: { editing: boolean; headersTouched: boolean },
): DestinationIn {
  const timeoutMs = Math.round(Number(form.timeoutSeconds) * 1000) || 15_000
  const common = {
    ...(editing ? {} : { type: form.type }),
    name: form.name.trim() || null,
    events: form.events,
    format: form.format,
    timeoutMs,
  }
  if (form.type === 'email') return { ...common, to: split(form.to) }
  if (isBroker(form.type)) return { ...common, broker: brokerInput(form) }
  const template =
    form.payload === 'preset'
      ? presetTemplate(form)
      : form.payload === 'custom'
        ? form.template
        : null
  return {
    ...common,
    ...(form.payload === 'preset' ? {} : { url: form.url.trim() }),
    template,
    ...(!editing || headersTouched ? { headers: toHeaders(form.headers) } : {}),
  }
}

/** The unsaved test: headers whose value is still `[redacted]` are left out. */
export function toTestInput(form: DestinationForm): Omit<DestinationIn, 'events' | 'name'> {
  const { events: _, name: __, ...input } = toInput(form, { editing: false, headersTouched: true })
  if (form.type === 'webhook')
    input.headers = toHeaders(form.headers.filter((h) => h.value !== redactedValue))
  return input
}

export interface TemplateFault {
  path: string
  message: string
  line?: number
  column?: number
}

/** The template and preset faults (`invalid_template`, `invalid_preset`) an API error names. */
export function templateFaults(error: unknown): TemplateFault[] {
  if (!(error instanceof SwitchyardApiError)) return []
  if (error.code !== 'invalid_template' && error.code !== 'invalid_preset') return []
  const details = Array.isArray(error.details) ? (error.details as TemplateFault[]) : []
  return details.filter((d) => typeof d.path === 'string' && typeof d.message === 'string')
}

/** "line 2, column 8: this '{{' is never closed" */
export function faultText(fault: TemplateFault): string {
  const where = fault.line ? `line ${fault.line}, column ${fault.column ?? 1}: ` : ''
  return `${fault.path} ${where}${fault.message}`
}
