import type { MiddlewareHandler } from 'hono'
import type { WireFormat } from '../generated/events.ts'
import type { SwitchyardWebhookEvent, VerifyOptions } from '../webhooks/types.ts'
import { verifyOutcome } from './verify-outcome.ts'

/**
 * Hono middleware: verifies the webhook, then sets the typed event as `c.get('webhook')`.
 * Refused requests get a 400 JSON error and never reach the route.
 *
 * @example
 * import { honoWebhook } from '@switchyard/sdk/hono'
 *
 * app.post('/webhooks', honoWebhook<'standard'>(process.env.SWITCHYARD_WEBHOOK_SECRET!), (c) => {
 *   const event = c.get('webhook')
 *   if (event.type === 'sync.completed') console.log(event.data.numRecords)
 *   return c.body(null, 204)
 * })
 */
export function honoWebhook<F extends WireFormat = WireFormat>(
  secret: string | readonly string[],
  options?: VerifyOptions,
): MiddlewareHandler<{ Variables: { webhook: SwitchyardWebhookEvent<F> } }> {
  return async (c, next) => {
    const rawBody = new Uint8Array(await c.req.arrayBuffer())
    const outcome = await verifyOutcome<F>(rawBody, c.req.raw.headers, secret, options)
    if (!outcome.ok) return c.json(outcome.body, outcome.status)
    c.set('webhook', outcome.event)
    await next()
  }
}
