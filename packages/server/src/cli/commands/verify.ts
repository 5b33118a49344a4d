import { verifyWebhook, WebhookVerificationError } from '@switchyard/sdk'
import { InvalidArgumentError, type Command } from 'commander'
import { CliError, exitCodes } from '../errors.ts'
import { paint, print, printJson } from '../output.ts'
import { parseRawRequest, type RawRequest } from '../raw-request.ts'
import { readStdin } from '../stdin.ts'

interface VerifyOptions {
  secret: string[]
  tolerance: number
  json?: boolean
}

/** `switchyard verify --secret whsec_… < request`: checks a captured webhook's signature. */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('Check the signature of a captured webhook request read from stdin')
    // No default for --secret: commander would print "(default: [])" under a required option.
    .requiredOption(
      '--secret <whsec>',
      "the destination's secret (repeat for old and new)",
      collect,
    )
    .option('--tolerance <seconds>', 'accepted timestamp age', toSeconds, 300)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Stdin holds the request as captured: an optional request line, the headers, a blank line and
the body exactly as sent. Exit codes: 0 valid, 2 invalid (the reason is printed), 1 unreadable.

Examples:
  $ switchyard verify --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw < request.txt
  $ switchyard verify --secret "$NEW" --secret "$OLD" --tolerance 86400 < yesterday.txt`,
    )
    .action(async (options: VerifyOptions) => {
      const request = parseRawRequest(
        await readStdin('switchyard verify --secret whsec_… < request.txt'),
      )
      if (!request)
        throw new CliError(
          'invalid_request',
          'stdin is not a request: headers, a blank line, then the body.',
        )
      const result = await check(request, options)
      if (!result.valid) {
        process.exitCode = exitCodes.verificationFailed
        if (options.json) return printJson(result)
        throw new CliError(result.code, result.message, exitCodes.verificationFailed)
      }
      if (options.json) return printJson(result)
      print(`${paint('green', 'valid')}: ${result.note}`)
    })
}

type Result =
  | { valid: true; webhookId: string; timestamp: string; note: string; event: unknown }
  | { valid: false; code: string; message: string }

async function check(request: RawRequest, options: VerifyOptions): Promise<Result> {
  const verify = (body: Uint8Array) =>
    verifyWebhook(body, request.headers, options.secret, { toleranceSeconds: options.tolerance })
  const id = request.headers['webhook-id'] ?? ''
  const timestamp = request.headers['webhook-timestamp'] ?? ''
  const age = Math.round(Date.now() / 1000 - Number(timestamp))
  const valid = (event: unknown, extra = '') => ({
    valid: true as const,
    webhookId: id,
    timestamp,
    note: `signature matches (webhook-id ${id}, signed ${age} s ago)${extra}`,
    event,
  })
  try {
    return valid(await verify(request.body))
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error
    // A malformed secret is the caller's mistake, not a verdict on the request.
    if (error.code === 'invalid_secret') throw new CliError(error.code, error.message)
    // Editors end files with a newline the sender never sent; try the body without it.
    const trimmed = withoutFinalNewline(request.body)
    if (error.code === 'invalid_signature' && trimmed) {
      const event = await verify(trimmed).catch(() => null)
      if (event) return valid(event, '; the final newline of the capture is not part of the body')
    }
    const hint =
      error.code === 'timestamp_too_old'
        ? ' Pass --tolerance <seconds> to check an older capture.'
        : ''
    return { valid: false, code: error.code, message: error.message + hint }
  }
}

function withoutFinalNewline(body: Uint8Array): Uint8Array | null {
  let end = body.length
  if (body[end - 1] === 0x0a) end--
  if (body[end - 1] === 0x0d) end--
  return end === body.length ? null : body.subarray(0, end)
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

function toSeconds(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('Expected whole seconds.')
  return n
}
