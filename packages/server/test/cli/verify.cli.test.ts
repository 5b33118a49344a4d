import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { runCli } from './run-cli.ts'

// The secret of the Standard Webhooks spec's examples; signatures come from its reference package.
const secret = 'whsec_MzJieXRlc3NlY3JldGtleWZvcnRoZXRlc3QxMjM0NTY='
const body =
  '{"type":"record.created","timestamp":"2025-01-31T09:00:00.000Z","data":{"recordId":"r1"}}'
const env = { PATH: process.env.PATH, NO_COLOR: '1' }

/** A request as captured off the wire: request line, headers, blank line, body. */
function capture(options: { body?: string; signedAt?: Date; eol?: string } = {}): string {
  const signedAt = options.signedAt ?? new Date()
  const eol = options.eol ?? '\r\n'
  const signature = new Webhook(secret).sign('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', signedAt, body)
  return [
    'POST /webhooks HTTP/1.1',
    'Host: localhost:3000',
    'Content-Type: application/json',
    'Webhook-Id: msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    `Webhook-Timestamp: ${Math.floor(signedAt.getTime() / 1000)}`,
    `Webhook-Signature: ${signature}`,
    '',
    options.body ?? body,
  ].join(eol)
}

const verify = (input: string, ...args: string[]) =>
  runCli(['verify', '--secret', secret, ...args], { env, input })

describe('switchyard verify', () => {
  it('shows each default in --help once', async () => {
    const res = await runCli(['verify', '--help'], { env })
    expect(res.stdout).toMatch(/--tolerance <seconds> +accepted timestamp age \(default: 300\)\n/)
    expect(res.stdout).not.toMatch(/default.*default|default: \[\]/)
  })

  it('exits 0 for a request signed with the secret', async () => {
    const res = await verify(capture())
    expect(res).toMatchObject({ code: 0, stderr: '' })
    expect(res.stdout).toMatch(
      /^valid: signature matches \(webhook-id msg_2KWPBgLlAfxdpx2AI54pPJ85f4W/,
    )
  })

  it('exits 2 with the reason when the body was changed', async () => {
    const res = await verify(capture({ body: body.replace('r1', 'r2') }))
    expect(res.code).toBe(2)
    expect(res.stdout).toBe('')
    expect(res.stderr).toMatch(/^switchyard: invalid_signature: No webhook-signature matches.*\n$/)
  })

  it('exits 2 under another secret', async () => {
    const res = runCli(['verify', '--secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], {
      env,
      input: capture(),
    })
    expect((await res).code).toBe(2)
  })

  it('exits 2 for a stale capture unless --tolerance covers it', async () => {
    const input = capture({ signedAt: new Date(Date.now() - 3600_000) })
    const stale = await verify(input)
    expect(stale.code).toBe(2)
    expect(stale.stderr).toMatch(/^switchyard: timestamp_too_old: .*--tolerance/)
    expect((await verify(input, '--tolerance', '7200')).code).toBe(0)
  })

  it('accepts LF line ends and prints the event with --json', async () => {
    const res = await verify(capture({ eol: '\n' }), '--json')
    expect(res.code).toBe(0)
    expect(JSON.parse(res.stdout)).toMatchObject({ valid: true, event: JSON.parse(body) })
  })

  it('exits 1 when stdin holds no request', async () => {
    const res = await verify('just a body')
    expect(res.code).toBe(1)
    expect(res.stderr).toMatch(/^switchyard: invalid_request: /)
  })
})
