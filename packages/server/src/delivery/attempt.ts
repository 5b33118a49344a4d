import { isBrokerKind, type BrokerKind } from '../brokers/index.ts'
import { renderWireFormat, wireName, type CatalogEvent, type WireFormat } from '../catalog/index.ts'
import {
  composeEmail,
  renderWebhookRequest,
  shownUrl,
  templateFunctionsFor,
} from '../destinations/index.ts'
import { bodySize, thinBody } from './claim-check.ts'
import type { ClaimChecks } from './claim-store.ts'
import type { Sender } from './send.ts'
import { buildRequest, signatureHeaders } from './signing.ts'
import type { Mailer } from './smtp.ts'
import type { AttemptRecord, TestTarget } from './types.ts'

/** What one attempt needs of its destination, saved (a claimed delivery) or not (a test). */
export interface AttemptTarget extends Readonly<TestTarget> {
  /** The delivery id: the `webhook-id`, the email's Message-ID, and the seed of `uuid()`. */
  deliveryId: string
  /** Its place in its ordering key's sequence, sent as `webhook-sequence`; absent when unordered. */
  sequence?: string | null
  /** Webhook bodies above this go out as a claim check (see claim-check.ts). */
  maxPayloadBytes?: number
  /** A saved destination's id: its broker connection is kept for the next message. */
  destinationId?: string
}

export interface AttemptDeps {
  now: () => Date
  sender: Sender
  mailer: Mailer
  publicUrl: string
  signal?: AbortSignal
  /**
   * Keeps bodies above `maxPayloadBytes` for their claim-check URL. Absent for test sends: a
   * claim belongs to a stored delivery, so they send the body whole.
   */
  claims?: ClaimChecks
}

/** An attempt ready to go, or why nothing can be sent (logged as the delivery's error). */
export type PreparedAttempt =
  { ok: true; send: () => Promise<AttemptRecord> } | { ok: false; error: string }

/**
 * The render stage for both channels: the event in the destination's wire format, then either
 * the email made of it, or the webhook request (template or preset applied, signed).
 * @example const prepared = prepareAttempt(target, event, deps); if (prepared.ok) await prepared.send()
 */
export function prepareAttempt(
  target: AttemptTarget,
  event: CatalogEvent,
  deps: AttemptDeps,
  /** A body rendered already (a coalesced delivery's); the event in the format otherwise. */
  rendered?: { body: unknown },
): PreparedAttempt {
  const format = target.format as WireFormat
  const body = rendered
    ? rendered.body
    : renderWireFormat(format, event, { publicUrl: deps.publicUrl })
  if (body === null)
    return {
      ok: false,
      error: `the ${format} format has no name for ${event.type}; nothing was sent`,
    }
  if (isBrokerKind(target.type)) return brokerAttempt(target, event, body, deps)
  return target.type === 'email'
    ? emailAttempt(target, event, body, deps)
    : webhookAttempt(target, event, body, deps)
}

function emailAttempt(
  target: AttemptTarget,
  event: CatalogEvent,
  body: unknown,
  deps: AttemptDeps,
): PreparedAttempt {
  const type = wireName(target.format as WireFormat, event.type) ?? event.type
  const to = target.emailTo ?? []
  const message = {
    ...composeEmail({ to, body, type, projectName: event.project.name }),
    id: target.deliveryId,
  }
  const options = { timeoutMs: target.timeoutMs, signal: deps.signal }
  return { ok: true, send: () => deps.mailer.send(message, options) }
}

function webhookAttempt(
  target: AttemptTarget,
  event: CatalogEvent,
  body: unknown,
  deps: AttemptDeps,
): PreparedAttempt {
  const { url, headers, template, preset } = target
  const fns = templateFunctionsFor(target.deliveryId, deps.now)
  const rendered = renderWebhookRequest(
    { url: url ?? '', headers, template, preset },
    { type: event.type, body },
    fns,
  )
  if (!rendered.ok) return rendered
  const signed = (sentBody: string) => signAndSend(target, rendered, sentBody, deps)
  const { claims } = deps
  // Presets are exempt: they cut bodies to their service's limits, and Slack or Datadog would
  // not fetch a claim check anyway.
  const oversized =
    claims !== undefined &&
    preset === null &&
    target.maxPayloadBytes !== undefined &&
    bodySize(rendered.body) > target.maxPayloadBytes
  if (!oversized) return { ok: true, send: () => signed(rendered.body) }
  // The body is stored before the thin event goes out: a receiver may fetch it while it answers.
  const send = async () => {
    const ref = await claims.keep(target.deliveryId, rendered.body, deps.now())
    return signed(JSON.stringify(thinBody(body, ref)))
  }
  return { ok: true, send }
}

/**
 * Signs `body` (what is sent: the rendered body, or its thin event) and sends it. The record
 * keeps the URL it went to: the destination's may change before anyone reads the log.
 */
async function signAndSend(
  target: AttemptTarget,
  rendered: { url: string; headers: Record<string, string> },
  body: string,
  deps: AttemptDeps,
): Promise<AttemptRecord> {
  const { request, loggedHeaders } = buildRequest({
    deliveryId: target.deliveryId,
    url: rendered.url,
    body,
    secrets: target.secrets,
    customHeaders: rendered.headers,
    timeoutMs: target.timeoutMs,
    timestamp: deps.now(),
    sequence: target.sequence ?? null,
  })
  const record = await deps.sender.send(request, {
    requestHeaders: loggedHeaders,
    signal: deps.signal,
  })
  return { ...record, url: shownUrl({ url: rendered.url, preset: target.preset }) }
}

/**
 * A message for a broker destination: the rendered event as the body (JSON, as a webhook
 * without a template sends it) and the Standard Webhooks headers as message headers (Redis:
 * fields), with the event type beside them. Bodies go whole: a consumer on a bus fetches no
 * claim checks, and each broker has its own message size limit.
 */
function brokerAttempt(
  target: AttemptTarget,
  event: CatalogEvent,
  body: unknown,
  deps: AttemptDeps,
): PreparedAttempt {
  const kind = target.type as BrokerKind
  const { broker } = target
  const publish = deps.sender.publish
  if (!broker) return { ok: false, error: `the ${kind} destination has no broker settings` }
  if (!publish) return { ok: false, error: 'this engine has no broker connections' }
  const type = wireName(target.format as WireFormat, event.type) ?? event.type
  const send = () => {
    const text = JSON.stringify(body)
    const headers = {
      'content-type': 'application/json',
      ...signatureHeaders(target.deliveryId, deps.now(), text, target.secrets),
      'webhook-event-type': type,
      ...(target.sequence ? { 'webhook-sequence': target.sequence } : {}),
    }
    const message = { id: target.deliveryId, body: text, headers }
    const request = {
      kind,
      broker,
      message,
      timeoutMs: target.timeoutMs,
      key: target.destinationId ?? null,
    }
    return publish(request, { signal: deps.signal })
  }
  return { ok: true, send }
}
