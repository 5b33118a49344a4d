import type { WireFormat } from '../generated/events.ts'
import type { SwitchyardWebhookEvent, VerifyOptions } from '../webhooks/types.ts'
import { verifyOutcome } from './verify-outcome.ts'

// Structural types, so this adapter needs neither express nor @types/express.
/** The parts of an Express request the adapter reads. */
export interface ExpressRequestLike {
  body?: unknown
  headers: Record<string, string | string[] | undefined>
}
/** The parts of an Express response the adapter writes. */
export interface ExpressResponseLike {
  headersSent: boolean
  status(code: number): this
  json(body: unknown): unknown
  end(): unknown
}

const rawBodyMissing =
  'expressWebhook needs the raw body: mount express.raw({ type: "application/json" }) on this ' +
  'route, ahead of express.json().'

/**
 * Express middleware that verifies a webhook and calls `handler` with the typed event. Needs the
 * raw body, so mount `express.raw({ type: 'application/json' })` before it (a body already parsed
 * by `express.json()` cannot be verified). Refused requests get a 400 JSON error; when the
 * handler sends nothing the answer is 204.
 *
 * @example
 * import express from 'express'
 * import { expressWebhook } from '@switchyard/sdk/express'
 *
 * app.post(
 *   '/webhooks',
 *   express.raw({ type: 'application/json' }),
 *   expressWebhook<'managed-sync'>(process.env.SWITCHYARD_WEBHOOK_SECRET!, async (event, req, res) => {
 *     if (event.event === 'sync_complete') await startImport(event.data.model)
 *   }),
 * )
 */
export function expressWebhook<
  F extends WireFormat = WireFormat,
  Req extends ExpressRequestLike = ExpressRequestLike,
  Res extends ExpressResponseLike = ExpressResponseLike,
>(
  secret: string | readonly string[],
  handler: (event: SwitchyardWebhookEvent<F>, req: Req, res: Res) => unknown,
  options?: VerifyOptions,
): (req: Req, res: Res, next: (error?: unknown) => void) => Promise<void> {
  return async (req, res, next) => {
    try {
      const body = req.body
      if (typeof body !== 'string' && !(body instanceof Uint8Array)) throw new Error(rawBodyMissing)
      const outcome = await verifyOutcome<F>(body, req.headers, secret, options)
      if (!outcome.ok) {
        res.status(outcome.status).json(outcome.body)
        return
      }
      await handler(outcome.event, req, res)
      if (!res.headersSent) res.status(204).end()
    } catch (error) {
      next(error)
    }
  }
}
