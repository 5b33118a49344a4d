import { Agent } from 'undici'
import { createPublicOnlyConnector } from './safe-connect.ts'

/**
 * The undici Agent every call to a URL a project admin chose goes through: deliveries, API setup
 * calls. Unless `allowPrivateTargets` (SWITCHYARD_ALLOW_PRIVATE_TARGETS) is set, its connector
 * refuses private addresses where the socket opens, after the one DNS lookup; the request fails
 * with `code: 'ERR_PRIVATE_TARGET'`. Redirects are not followed (undici's `request` follows none
 * without an interceptor).
 * @example const agent = createOutboundAgent({ allowPrivateTargets: false, connectTimeoutMs: 15_000 })
 */
export function createOutboundAgent(
  options: { allowPrivateTargets: boolean; connectTimeoutMs: number } & Omit<
    Agent.Options,
    'connect'
  >,
): Agent {
  const { allowPrivateTargets, connectTimeoutMs, ...agentOptions } = options
  return new Agent({
    ...agentOptions,
    connect: allowPrivateTargets
      ? { timeout: connectTimeoutMs }
      : createPublicOnlyConnector({ timeoutMs: connectTimeoutMs }),
  })
}
