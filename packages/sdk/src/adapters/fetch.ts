import type { WireFormat } from '../generated/events.ts'
import type { SwitchyardWebhookEvent, VerifyOptions } from '../webhooks/types.ts'
import { verifyWebhook } from '../webhooks/verify.ts'
import { verifyOutcome } from './verify-outcome.ts'

/**
 * Verifies a fetch `Request` (Next.js route handlers, Hono, Bun, Deno, Cloudflare Workers) and
 * returns its typed event. Reads the body, so do not read it before.
 *
 * @throws {WebhookVerificationError} when the request is refused
 * @example
 * // app/webhooks/route.ts
 * export async function POST(request: Request) {
 *   const event = await verifyRequest<'managed-sync'>(request, process.env.SWITCHYARD_WEBHOOK_SECRET!)
 *   return new Response(null, { status: 204 })
 * }
 */
export async function verifyRequest<F extends WireFormat = WireFormat>(
  request: Request,
  secret: string | readonly string[],
  options?: VerifyOptions,
): Promise<SwitchyardWebhookEvent<F>> {
  return verifyWebhook<F>(await rawBodyOf(request), request.headers, secret, options)
}

/** What a `fetchHandler` handler may answer; nothing means 204 No Content. */
export type FetchWebhookHandler<F extends WireFormat> = (
  event: SwitchyardWebhookEvent<F>,
  request: Request,
) => Response | void | Promise<Response | void>

/**
 * A `(request) => Response` webhook endpoint: refused requests get a 400 with
 * `{"error":{"code","message"}}`, verified ones go to `handler`.
 *
 * @example
 * // Next.js: app/webhooks/route.ts
 * export const POST = fetchHandler<'standard'>(process.env.SWITCHYARD_WEBHOOK_SECRET!, async (event) => {
 *   if (event.type === 'record.created') await index(event.data.recordId)
 * })
 * // Bun: Bun.serve({ fetch: fetchHandler(secret, handler) }) · Deno: Deno.serve(fetchHandler(secret, handler))
 */
export function fetchHandler<F extends WireFormat = WireFormat>(
  secret: string | readonly string[],
  handler: FetchWebhookHandler<F>,
  options?: VerifyOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const outcome = await verifyOutcome<F>(
      await rawBodyOf(request),
      request.headers,
      secret,
      options,
    )
    if (!outcome.ok) return Response.json(outcome.body, { status: outcome.status })
    return (await handler(outcome.event, request)) ?? new Response(null, { status: 204 })
  }
}

async function rawBodyOf(request: Request): Promise<Uint8Array> {
  return new Uint8Array(await request.arrayBuffer())
}
