import { SwitchyardApiError } from '@switchyard/sdk'

/**
 * Exit codes scripts can rely on (`switchyard --help` lists them):
 * 0 done; 1 the API refused, the server is unreachable, or the command line is wrong;
 * 2 `verify` found the request does not verify.
 */
export const exitCodes = { ok: 0, error: 1, verificationFailed: 2 } as const

/**
 * A failure the CLI reports itself, as one line: `switchyard: <code>: <message>`.
 * @example throw new CliError('invalid_data', '--data is not JSON')
 */
export class CliError extends Error {
  override readonly name = 'CliError'
  readonly code: string
  readonly exitCode: number

  constructor(code: string, message: string, exitCode: number = exitCodes.error) {
    super(message)
    this.code = code
    this.exitCode = exitCode
  }
}

/**
 * The one line an error prints as. API errors keep the API's code; their field details are
 * appended (`/data/recordId: must have required property`); unreachable servers say which URL.
 * @example formatError(new CliError('usage', 'give --url')) // 'switchyard: usage: give --url'
 */
export function formatError(error: unknown): string {
  const [code, message] = describe(error)
  return `switchyard: ${code}: ${message.replace(/\s*\n\s*/g, ' ')}`
}

function describe(error: unknown): [string, string] {
  if (error instanceof CliError) return [error.code, error.message]
  if (error instanceof SwitchyardApiError) {
    if (error.status === 0) return [error.code, unreachable(error)]
    return [error.code, error.message + detailsOf(error.details)]
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return [typeof code === 'string' ? code : 'error', error.message]
  }
  return ['error', String(error)]
}

function detailsOf(details: unknown): string {
  if (!Array.isArray(details) || details.length === 0) return ''
  const parts = details
    .slice(0, 5)
    .map((d: { path?: unknown; message?: unknown }) =>
      [d.path, d.message].filter((part) => typeof part === 'string' && part !== '').join(': '),
    )
  const more = details.length > 5 ? `; and ${details.length - 5} more` : ''
  return ` (${parts.join('; ')}${more})`
}

// The SDK reports "GET http://…/v1/x failed: TypeError: fetch failed"; the why is in the causes.
function unreachable(error: SwitchyardApiError): string {
  const url = /\b(https?:\/\/[^/\s]+)/.exec(error.message)?.[1] ?? 'the server'
  let why = ''
  for (
    let cause = error.cause as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
    cause;
    cause = cause.cause as typeof cause
  ) {
    if (typeof cause.code === 'string') {
      why = cause.code
      break
    }
    if (typeof cause.message === 'string') why = cause.message
  }
  return `cannot reach ${url}${why ? ` (${why})` : ''}; is \`switchyard start\` running there? Set --url or SWITCHYARD_URL.`
}
