import { signWebhook, type EventOut } from '@switchyard/sdk'
import { InvalidArgumentError, Option, type Command } from 'commander'
import {
  renderWireFormat,
  wireFormats,
  type CanonicalType,
  type WireFormat,
} from '../../catalog/index.ts'
import { version } from '../../version.ts'
import type { StreamReady } from '../stream.ts'
import { connect, connectionOptions } from '../context.ts'
import { clock, note, paint, print, printJsonLine, statusColour } from '../output.ts'
import { followEvents, listOption } from '../stream.ts'

interface ListenOptions {
  forwardTo: string
  events?: string
  secret?: string
  format: WireFormat
  timeout: number
  json?: boolean
}

/** What one forward did: the local app's answer, or why there was none. */
type ForwardResult =
  | { eventId: string; type: string; status: number; durationMs: number }
  | { eventId: string; type: string; error: string; durationMs: number }
  | { eventId: string; type: string; skipped: string }

/**
 * `switchyard listen --forward-to <url>`: the project's events, rendered and signed like a
 * destination's deliveries, POSTed to an app on this machine, which needs no public URL.
 */
export function registerListen(program: Command, env: NodeJS.ProcessEnv): void {
  connectionOptions(
    program
      .command('listen')
      .description("Forward the project's live events to a local app, signed, one line per event")
      .requiredOption('--forward-to <url>', 'where your app receives webhooks', httpUrl)
      .option('--events <names>', 'only these events, comma-separated (default: all)')
      .option(
        '--secret <whsec>',
        'sign with this secret (default: a new one for this session)',
        secret,
      )
      .addOption(
        new Option('--format <format>', 'wire format of the bodies')
          .choices(wireFormats)
          .default('standard'),
      )
      .option('--timeout <ms>', 'how long to wait for your app', milliseconds, 15_000)
      .option('--json', 'one JSON result per line')
      .addHelpText(
        'after',
        `
Each event is POSTed with the Standard Webhooks headers a destination gets (webhook-id is the
event id), signed with the session secret printed at start, and forwarded one at a time in order.

Examples:
  $ switchyard listen --forward-to http://localhost:3000/webhooks
  $ switchyard listen --forward-to http://localhost:3000/webhooks --events record.created \\
      --format managed-sync --secret "$WEBHOOK_SECRET"`,
      )
      .action(async (options: ListenOptions, command: Command) => {
        const connection = connect(command, env)
        const signingSecret = options.secret ?? (await sessionSecret())
        let project: StreamReady['project'] = { id: '', name: '' }
        await followEvents(connection, listOption(options.events), {
          onReady: (ready) => {
            project = ready.project
            note(`Webhook signing secret: ${options.secret ? '(from --secret)' : signingSecret}`)
            note(
              `Ready: forwarding events of ${project.name} to ${options.forwardTo} (Ctrl-C to stop)`,
            )
          },
          onEvent: async (event) => {
            const result = await forward(event, {
              ...options,
              secret: signingSecret,
              project,
              publicUrl: connection.url,
            })
            if (options.json) printJsonLine(result)
            else print(resultLine(result))
          },
        })
      }),
  )
}

async function forward(
  event: EventOut,
  target: ListenOptions & { secret: string; project: StreamReady['project']; publicUrl: string },
): Promise<ForwardResult> {
  const rendered = renderWireFormat(
    target.format,
    {
      id: event.id,
      type: event.type as CanonicalType,
      occurredAt: new Date(event.occurredAt),
      data: event.data,
      project: target.project,
      userId: event.userId,
      credentialId: event.credentialId,
      integration: event.integration ? { type: event.integration } : null,
    },
    { publicUrl: target.publicUrl },
  )
  const base = { eventId: event.id, type: event.type }
  if (rendered === null)
    return { ...base, skipped: `the ${target.format} format has no name for it` }
  const body = JSON.stringify(rendered)
  const headers = await signWebhook(target.secret, body, { id: event.id })
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  try {
    const response = await fetch(target.forwardTo, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        'user-agent': `Switchyard-CLI/${version}`,
      },
      body,
      signal: AbortSignal.timeout(target.timeout),
    })
    await response.body?.cancel()
    return { ...base, status: response.status, durationMs: elapsed() }
  } catch (error) {
    return { ...base, error: describeFetchError(error, target.timeout), durationMs: elapsed() }
  }
}

/** `14:05:09  record.created  → 200  12 ms  0192…` */
function resultLine(result: ForwardResult): string {
  const head = `${paint('dim', clock())}  ${paint('cyan', result.type)}`
  if ('skipped' in result)
    return `${head}  ${paint('dim', `skipped: ${result.skipped}`)}  ${result.eventId}`
  const outcome =
    'status' in result
      ? statusColour(result.status >= 200 && result.status < 300, `→ ${result.status}`)
      : statusColour(false, `→ ${result.error}`)
  return `${head}  ${outcome}  ${result.durationMs} ms  ${result.eventId}`
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError')
    return `no answer in ${timeoutMs} ms`
  const code = (error as { cause?: { code?: unknown } }).cause?.code
  return typeof code === 'string' ? `${code} (is your app running?)` : String(error)
}

/** A new secret, made the way destinations' are (loaded on use: it brings in the store). */
async function sessionSecret(): Promise<string> {
  const { newSigningSecret } = await import('../../destinations/index.ts')
  return newSigningSecret()
}

function httpUrl(value: string): string {
  if (!/^https?:\/\/[^/]/.test(value)) throw new InvalidArgumentError('Expected an http(s) URL.')
  return value
}

function secret(value: string): string {
  if (!/^whsec_[A-Za-z0-9+/=]{24,}$/.test(value))
    throw new InvalidArgumentError('Expected whsec_ and base64.')
  return value
}

function milliseconds(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('Expected milliseconds.')
  return n
}
