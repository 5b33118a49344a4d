import { performance } from 'node:perf_hooks'
import type { Readable } from 'node:stream'
import { request, type Agent } from 'undici'
import { createBrokerPool, type PublishRequest } from '../brokers/index.ts'
import { createOutboundAgent } from '../outbound/index.ts'
import { publishAttempt } from './broker-send.ts'
import { classifyError, classifyStatus } from './classify.ts'
import { startDeadline } from './deadline.ts'
import type { AttemptRecord, OutboundRequest } from './types.ts'

/** The most of a response body an attempt keeps; the rest is not read. */
export const responseBodyLimit = 4096

// The longest a destination may take (timeoutMs max); undici's own timers only back ours up.
const maxTimeoutMs = 30_000

/** Sends one signed request and says what came of it. Never throws for HTTP or network faults. */
export interface Sender {
  send(
    request: OutboundRequest,
    options: { requestHeaders: Record<string, string>; signal?: AbortSignal },
  ): Promise<AttemptRecord>
  /**
   * Publishes one message to a broker destination (brokers/), over a connection kept per
   * destination. Absent on senders that reach no brokers (test doubles).
   */
  publish?(request: PublishRequest, options: { signal?: AbortSignal }): Promise<AttemptRecord>
  close(): Promise<void>
}

/**
 * One undici Agent for every destination: connections are kept alive and reused per origin.
 * Redirects are not followed and private targets are refused at connect time (outbound/).
 * @example const sender = createSender({ allowPrivateTargets: false, now: () => new Date() })
 */
export function createSender(options: {
  allowPrivateTargets: boolean
  now: () => Date
  /** How long a broker connection stays open without a message. (Default: 60 s) */
  brokerIdleMs?: number
}): Sender {
  const agent = createOutboundAgent({
    allowPrivateTargets: options.allowPrivateTargets,
    connectTimeoutMs: maxTimeoutMs,
    headersTimeout: maxTimeoutMs,
    bodyTimeout: maxTimeoutMs,
    keepAliveTimeout: 10_000,
  })
  // Broker hosts pass the same private-target rule as webhook URLs (outbound/connectAddress).
  const brokers = createBrokerPool({
    allowPrivateTargets: options.allowPrivateTargets,
    idleMs: options.brokerIdleMs,
  })
  return {
    send: (outbound, sendOptions) => sendOnce(agent, outbound, sendOptions, options.now),
    publish: (message, publishOptions) =>
      publishAttempt(brokers, message, { now: options.now, signal: publishOptions.signal }),
    close: async () => {
      await Promise.all([agent.close(), brokers.close()])
    },
  }
}

/** The part of a sent body the attempt log keeps: the same 4 KiB bound as the response. */
function loggedBody(body: string): string {
  return body.length > responseBodyLimit ? body.slice(0, responseBodyLimit) : body
}

async function sendOnce(
  agent: Agent,
  outbound: OutboundRequest,
  options: { requestHeaders: Record<string, string>; signal?: AbortSignal },
  now: () => Date,
): Promise<AttemptRecord> {
  const { requestHeaders } = options
  const startedAt = now()
  const started = performance.now()
  // One deadline for connect, headers and body: a receiver that trickles bytes still times out.
  const deadline = startDeadline(outbound.timeoutMs, options.signal)
  const elapsed = () => Math.round(performance.now() - started)
  try {
    const response = await request(outbound.url, {
      dispatcher: agent,
      method: 'POST',
      headers: outbound.headers,
      body: outbound.body,
      signal: deadline.signal,
    })
    const body = await readHead(response.body, responseBodyLimit)
    const headers = flattenHeaders(response.headers)
    return {
      startedAt,
      durationMs: elapsed(),
      outcome: classifyStatus(response.statusCode, headers, startedAt),
      requestHeaders,
      requestBody: loggedBody(outbound.body),
      response: { status: response.statusCode, headers, body: toText(body) },
    }
  } catch (error) {
    return {
      startedAt,
      durationMs: elapsed(),
      outcome: classifyError(error, deadline.timedOut(), outbound.timeoutMs),
      requestHeaders,
      requestBody: loggedBody(outbound.body),
      response: null,
    }
  } finally {
    deadline.dispose()
  }
}

/**
 * Reads at most `limit` bytes. Leaving the loop early destroys the stream, which drops the
 * rest and closes that connection instead of reading a 5 MB answer to reuse it.
 */
async function readHead(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk)
    size += chunk.length
    if (size >= limit) break
  }
  return Buffer.concat(chunks).subarray(0, limit)
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  )
}

// PostgreSQL text cannot hold NUL; a cut multi-byte character becomes U+FFFD.
function toText(bytes: Buffer): string {
  return bytes.toString('utf8').replaceAll('\u0000', '')
}
