import {
  checkBroker,
  isBrokerKind,
  type BrokerIn,
  type BrokerKind,
  type StoredBroker,
} from '../brokers/index.ts'
import type { WireFormat } from '../catalog/index.ts'
import { apiError } from '../errors.ts'
import { coalesceRules, type CoalesceIn } from './coalesce-fields.ts'
import { checkFilter, type FilterIn } from './filter-fields.ts'
import { maxConcurrencyRange, maxPayloadBytesRange, timeoutMsRange } from './schemas.ts'
import type { DeliveryOrdering, DestinationFields, DestinationType } from './store.ts'
import {
  checkCustomTemplate,
  checkHeaderTemplates,
  checkPreset,
  type TemplateScope,
} from './template-fields.ts'
import type { StoredPreset } from './templates/index.ts'
import {
  checkCustomHeaders,
  checkEmailAddresses,
  checkEventFilter,
  checkTargetUrl,
} from './validate.ts'

/** `POST /v1/destinations` body (and, with `events` optional, `POST /v1/destinations/test`). */
export interface DestinationIn {
  type?: DestinationType
  name?: string | null
  /** rabbitmq, nats, redis: the connection URL and the target on the broker. */
  broker?: BrokerIn
  /** Webhook: the target; with a preset it comes from the preset instead. */
  url?: string
  /** Email: the recipients. */
  to?: string[]
  events: string[]
  format?: WireFormat
  headers?: Record<string, string>
  /** Webhook: a custom body template (JSON text), or a preset with its options. */
  template?: string | StoredPreset | null
  timeoutMs?: number
  maxConcurrency?: number
  rateLimitPerSecond?: number | null
  /** Mailed when the destination pauses and when it recovers. */
  contactEmail?: string | null
  ordering?: DeliveryOrdering
  maxPayloadBytes?: number
  coalesce?: CoalesceIn | null
  /** Webhooks carry the W3C `traceparent` of their attempt when tracing is on. (Default: true) */
  traceContext?: boolean
  /** Whom the events are about and a payload expression (docs/filters.md). */
  filter?: FilterIn | null
}

/** How a patch is checked against what was saved before the check existed. */
export interface FieldsOptions {
  /** The stored preset, whose secrets `[redacted]` options keep (patches). */
  currentPreset?: StoredPreset | null
  /** The stored (opened) broker settings, whose URL a `[redacted]` one keeps (patches). */
  currentBroker?: StoredBroker | null
  /**
   * Skip refusing event types the format cannot carry: a patch that changes neither `events`
   * nor `format` keeps a filter saved before save-time checks, so an unrelated edit still works.
   */
  keepStoredEvents?: boolean
}

/**
 * Validates a destination configuration and fills in defaults: the format is `monitoring` for
 * email and preset destinations, `standard` otherwise.
 * @throws invalid_url, invalid_header, invalid_email, invalid_template, invalid_preset,
 *   unknown_event_name, event_not_in_format or validation_failed, with the field in `details`
 */
export function destinationFields(
  input: DestinationIn,
  options: FieldsOptions = {},
): DestinationFields {
  if (input.type !== undefined && isBrokerKind(input.type)) return brokerFields(input, options)
  return input.type === 'email'
    ? emailFields(input, options)
    : webhookFields(input, options.currentPreset ?? null, options)
}

function commonFields(input: DestinationIn, format: WireFormat, options: FieldsOptions) {
  const checkedFormat = options.keepStoredEvents ? undefined : format
  return {
    name: input.name ?? null,
    eventFilter: [...input.events],
    eventTypes: checkEventFilter(input.events, '/events', checkedFormat),
    format,
    timeoutMs: input.timeoutMs ?? timeoutMsRange.default,
    maxConcurrency: input.maxConcurrency ?? maxConcurrencyRange.default,
    rateLimitPerSecond: input.rateLimitPerSecond ?? null,
    contactEmail: input.contactEmail
      ? checkEmailAddresses([input.contactEmail], '/contactEmail')[0]!
      : null,
    ordering: input.ordering ?? 'none',
    maxPayloadBytes: input.maxPayloadBytes ?? maxPayloadBytesRange.default,
    traceContext: input.traceContext ?? true,
    coalesce: coalesceRules(input.coalesce ?? {}, {
      type: input.type ?? 'webhook',
      templated: input.template !== undefined && input.template !== null,
      ordering: input.ordering ?? 'none',
    }),
    filter: checkFilter(input.filter),
  }
}

function webhookFields(
  input: DestinationIn,
  currentPreset: StoredPreset | null,
  options: FieldsOptions,
): DestinationFields {
  refuseFields(input, ['to', 'broker'], 'webhook')
  const template = input.template ?? null
  const preset = template !== null && typeof template === 'object' ? template : null
  const format = input.format ?? (preset ? 'monitoring' : 'standard')
  const common = commonFields(input, format, options)
  const headers = checkCustomHeaders(input.headers ?? {}, '/headers')
  const checkedPreset = preset ? checkPreset(preset, currentPreset, common.format) : null
  if (checkedPreset && input.url !== undefined)
    throw apiError('invalid_url', 'With a preset the URL comes from the preset.', [
      { path: '/url', message: 'comes from the preset; set template.url to send elsewhere' },
    ])
  if (!checkedPreset && input.url === undefined)
    throw apiError('invalid_url', 'A webhook destination needs a url.', [
      { path: '/url', message: 'is required' },
    ])
  const scope: TemplateScope = { format: common.format, eventTypes: common.eventTypes }
  if (typeof template === 'string') checkCustomTemplate(template, scope)
  checkHeaderTemplates(headers, scope)
  return {
    ...common,
    type: 'webhook',
    url: checkedPreset?.url ?? checkTargetUrl(input.url!, '/url'),
    broker: null,
    emailTo: null,
    headers,
    template: typeof template === 'string' ? template : null,
    preset: checkedPreset?.stored ?? null,
  }
}

function emailFields(input: DestinationIn, options: FieldsOptions): DestinationFields {
  refuseFields(input, ['url', 'template', 'headers', 'broker'], 'email')
  return {
    ...commonFields(input, input.format ?? 'monitoring', options),
    type: 'email',
    url: null,
    broker: null,
    emailTo: checkEmailAddresses(input.to, '/to'),
    headers: {},
    template: null,
    preset: null,
  }
}

/**
 * A message-broker destination: the event in its format (standard by default) as the message
 * body, signed like a webhook; no URL, template or custom headers (brokers/config.ts).
 */
function brokerFields(input: DestinationIn, options: FieldsOptions): DestinationFields {
  const kind = input.type as BrokerKind
  refuseFields(input, ['url', 'to', 'template', 'headers'], kind)
  return {
    ...commonFields(input, input.format ?? 'standard', options),
    type: kind,
    url: null,
    broker: checkBroker(kind, input.broker, options.currentBroker ?? null),
    emailTo: null,
    headers: {},
    template: null,
    preset: null,
  }
}

function refuseFields(input: DestinationIn, fields: (keyof DestinationIn)[], type: string): void {
  const given = fields.filter((field) => input[field] !== undefined && input[field] !== null)
  if (given.length === 0) return
  throw apiError(
    'validation_failed',
    undefined,
    given.map((field) => ({ path: `/${field}`, message: `is not used by ${type} destinations` })),
  )
}
