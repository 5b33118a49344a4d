import { isIP } from 'node:net'
import type { Readable } from 'node:stream'
import { request as httpRequest } from 'undici'
import { createOutboundAgent, isPrivateAddress } from '../outbound/index.ts'
import { apiError } from '../errors.ts'
import { renderTemplate } from './template.ts'
import type { SetupRequest } from './types.ts'

const timeoutMs = 15_000

/**
 * The most of a provider's answer a setup call reads: it carries a webhook id or a secret, not
 * data. Unbounded, a 200 MB answer cost about 270 MB of memory.
 */
export const maxAnswerBytes = 1024 * 1024

/**
 * The provider's answer; `status: null` when it could not be reached or its answer could not be
 * read whole (`text` says why).
 */
export interface ProviderAnswer {
  status: number | null
  text: string
}

/**
 * Sends one setup request, templated with `vars`. A URL starting with `/` is under the
 * integration's `baseUrl`. Without an `Authorization` header, the credential's access token is
 * the bearer (the integration's own auth); app-level requests name their auth in the template.
 * @throws invalid_url for a URL that is not absolute or names a private address
 */
export async function callProvider(
  spec: SetupRequest,
  vars: { credential: Record<string, unknown>; integration: { baseUrl: string } },
  allowPrivateTargets: boolean,
): Promise<ProviderAnswer> {
  const url = absoluteUrl(String(renderTemplate(spec.url, vars)), vars.integration.baseUrl)
  const headers = renderTemplate(spec.headers ?? {}, vars) as Record<string, string>
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
  const accessToken = vars.credential['accessToken']
  if (!lower['authorization'] && typeof accessToken === 'string')
    lower['authorization'] = `Bearer ${accessToken}`
  const body = spec.body === undefined ? undefined : JSON.stringify(renderTemplate(spec.body, vars))
  if (body !== undefined) lower['content-type'] ??= 'application/json'
  refusePrivateLiteral(url, allowPrivateTargets)
  return send(url, { method: spec.method, headers: lower, body }, allowPrivateTargets)
}

async function send(
  url: string,
  options: { method: string; headers: Record<string, string>; body: string | undefined },
  allowPrivateTargets: boolean,
): Promise<ProviderAnswer> {
  // Private targets are refused where the socket opens, after the one DNS lookup (the same
  // agent as delivery's, outbound/); a lookup here first left a rebinding window between the two.
  const agent = createOutboundAgent({ allowPrivateTargets, connectTimeoutMs: timeoutMs })
  try {
    const res = await httpRequest(url, {
      ...options,
      method: options.method as 'POST',
      dispatcher: agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    })
    const text = await readAnswer(res.body, Number(res.headers['content-length'] ?? 0))
    if (text !== null) return { status: res.statusCode, text }
    return {
      status: null,
      text: `The provider's answer (HTTP ${res.statusCode}) is larger than ${maxAnswerBytes} bytes, the most a setup call reads; it was not read.`,
    }
  } catch (error) {
    return { status: null, text: `The provider could not be reached: ${(error as Error).message}` }
  } finally {
    await agent.destroy()
  }
}

// The answer as text, or null past `maxAnswerBytes` (declared or read): the stream is destroyed
// there and the connection with it.
async function readAnswer(body: Readable, declaredBytes: number): Promise<string | null> {
  if (declaredBytes > maxAnswerBytes) {
    body.destroy()
    return null
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxAnswerBytes) {
      body.destroy()
      return null
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, size).toString('utf8')
}

function absoluteUrl(url: string, baseUrl: string): string {
  if (!url.startsWith('/')) return url
  if (!baseUrl)
    throw apiError(
      'invalid_url',
      `The setup URL "${url}" is relative; set baseUrl on the integration (PUT /v1/integrations/:type).`,
    )
  return baseUrl.replace(/\/+$/, '') + url
}

// An address written in the URL is checked here, for a 400 that names it; a name is checked by
// the connector once it is resolved.
function refusePrivateLiteral(url: string, allowPrivate: boolean): void {
  let host: string
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  } catch {
    throw apiError('invalid_url', `The setup URL "${url}" is not an absolute URL.`)
  }
  if (!allowPrivate && isIP(host) && isPrivateAddress(host))
    throw apiError(
      'invalid_url',
      `The setup URL's address ${host} is private; set SWITCHYARD_ALLOW_PRIVATE_TARGETS to allow it.`,
    )
}
