import dns from 'node:dns/promises'
import { isIP } from 'node:net'
import { request as httpRequest } from 'undici'
import { isPrivateAddress } from '../delivery/index.ts'
import { apiError } from '../errors.ts'
import { renderTemplate } from './template.ts'
import type { SetupRequest } from './types.ts'

const timeoutMs = 15_000

/** The provider's answer; `status: null` when it could not be reached (`text` says why). */
export interface ProviderAnswer {
  status: number | null
  text: string
}

/**
 * Sends one setup request, templated with `vars`. A URL starting with `/` is under the
 * integration's `baseUrl`. Without an `Authorization` header, the credential's access token is
 * the bearer (the integration's own auth); app-level requests name their auth in the template.
 * @throws invalid_url for a URL that is not absolute or reaches a private network
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
  await refusePrivateTarget(url, allowPrivateTargets)
  try {
    const res = await httpRequest(url, {
      method: spec.method as 'POST',
      headers: lower,
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    })
    return { status: res.statusCode, text: await res.body.text() }
  } catch (error) {
    return { status: null, text: `The provider could not be reached: ${(error as Error).message}` }
  }
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

// Checked at call time; an admin-set URL must not reach the instance's own network.
async function refusePrivateTarget(url: string, allowPrivate: boolean): Promise<void> {
  let host: string
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  } catch {
    throw apiError('invalid_url', `The setup URL "${url}" is not an absolute URL.`)
  }
  if (allowPrivate) return
  const addresses = isIP(host)
    ? [host]
    : (await dns.lookup(host, { all: true })).map((a) => a.address)
  if (addresses.some(isPrivateAddress))
    throw apiError(
      'invalid_url',
      `The setup URL resolves to a private address (${host}); set SWITCHYARD_ALLOW_PRIVATE_TARGETS to allow it.`,
    )
}
