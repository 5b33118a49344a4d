import type { FastifyPluginAsync } from 'fastify'
import { apiError } from '../errors.ts'
import { callerProject } from '../http/auth.ts'
import { findProject } from '../projects/index.ts'
import { withTransaction } from '../store/index.ts'
import { testResultSchema, testTargetOf } from './delivery-control.ts'
import { destinationFields, type DestinationIn } from './destination-fields.ts'
import { destinationOr404 } from './destinations.ts'
import type { DestinationRoutesDeps } from './routes.ts'
import {
  destinationOutSchema,
  destinationTypeSchema,
  idParamsSchema,
  webhookFieldSchemas,
} from './schemas.ts'
import { addTimelineEntry } from './pause-store.ts'
import { newSigningSecret, signingSecrets } from './secrets.ts'
import { destinationContexts, openDestination, shownDestination } from './sealed-secrets.ts'
import { disableDestinationRow, enableDestinationRow, rotateSecretRow } from './store.ts'

const admin = { auth: { role: 'admin' } } as const
const tags = ['destinations']
const optionalBody = (properties: Record<string, object>) =>
  ({ type: 'object', additionalProperties: false, properties }) as const
// A POST without a body validates as `{}` against an optional-fields schema; a JSON `null`
// is a body, and is refused like any other non-object.
const emptyBodyAsObject = async (request: { body: unknown }) => {
  if (request.body === undefined) request.body = {}
}

/** Enable, disable, rotate-secret, recover and test. */
export function actionRoutes(deps: DestinationRoutesDeps): FastifyPluginAsync {
  const { db, now, deliveries, box } = deps
  return async (app) => {
    app.post<{ Params: { id: string } }>(
      '/v1/destinations/:id/enable',
      {
        config: admin,
        schema: {
          tags,
          summary:
            'Enable a disabled or paused destination; its held deliveries are sent, oldest first',
          params: idParamsSchema,
          response: { 200: destinationOutSchema },
        },
      },
      async (request) => {
        const current = await destinationOr404(db.kysely, callerProject(request), request.params.id)
        const row = await withTransaction(db.kysely, async (tx) => {
          const at = now()
          const enabled = await enableDestinationRow(tx, current.project_id, current.id, at)
          const released = await deliveries.resumeHeld(tx, current.id, at)
          if (!current.enabled)
            await addTimelineEntry(tx, {
              destinationId: current.id,
              at,
              kind: 'enabled',
              message: `Enabled by an admin: ${released} held deliveries released oldest first.`,
              details: { released },
            })
          return enabled
        })
        return shownDestination(box, row ?? current)
      },
    )

    app.post<{ Params: { id: string }; Body: { reason?: string } }>(
      '/v1/destinations/:id/disable',
      {
        config: admin,
        preValidation: emptyBodyAsObject,
        schema: {
          tags,
          summary: 'Disable a destination; its deliveries are held until it is enabled',
          params: idParamsSchema,
          body: optionalBody({ reason: { type: 'string', minLength: 1, maxLength: 500 } }),
          response: { 200: destinationOutSchema },
        },
      },
      async (request) => {
        const current = await destinationOr404(db.kysely, callerProject(request), request.params.id)
        const reason = request.body.reason ?? 'disabled by an admin'
        const row = await withTransaction(db.kysely, async (tx) => {
          const at = now()
          const disabled = await disableDestinationRow(tx, current.id, reason, at)
          if (!disabled) return null
          const held = await deliveries.holdPending(tx, current.id, at)
          await addTimelineEntry(tx, {
            destinationId: current.id,
            at,
            kind: 'disabled',
            message: `Disabled by an admin: ${reason}. ${held} pending deliveries held.`,
            details: { reason, held },
          })
          return disabled
        })
        return shownDestination(box, row ?? current)
      },
    )

    app.post<{ Params: { id: string }; Body: { graceHours?: number } }>(
      '/v1/destinations/:id/rotate-secret',
      {
        config: admin,
        preValidation: emptyBodyAsObject,
        schema: {
          tags,
          summary: 'Replace the signing secret; the old one keeps signing during the grace',
          params: idParamsSchema,
          body: optionalBody({ graceHours: { type: 'number', minimum: 0, maximum: 168 } }),
          response: {
            200: {
              type: 'object',
              required: ['secret', 'previousSecretExpiresAt'],
              properties: {
                secret: { type: 'string' },
                previousSecretExpiresAt: { type: ['string', 'null'], format: 'date-time' },
              },
            },
          },
        },
      },
      async (request) => {
        const current = await destinationOr404(db.kysely, callerProject(request), request.params.id)
        const graceHours = request.body.graceHours ?? 24
        const at = now()
        const previousExpiresAt =
          graceHours > 0 ? new Date(at.getTime() + graceHours * 3600 * 1000) : null
        const secret = newSigningSecret()
        // The previous secret moves over sealed as it is: both columns share one context.
        await rotateSecretRow(db.kysely, current.project_id, current.id, {
          secret: await box.seal(secret, destinationContexts.secret(current.id)),
          previousExpiresAt,
          now: at,
        })
        return { secret, previousSecretExpiresAt: previousExpiresAt?.toISOString() ?? null }
      },
    )

    app.post<{ Params: { id: string }; Body: { since: string; until?: string } }>(
      '/v1/destinations/:id/recover',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Send again the failed deliveries created since a time',
          params: idParamsSchema,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['since'],
            properties: {
              since: { type: 'string', format: 'date-time' },
              until: { type: 'string', format: 'date-time' },
            },
          },
          response: {
            202: {
              type: 'object',
              required: ['requeued'],
              properties: { requeued: { type: 'integer' } },
            },
          },
        },
      },
      async (request, reply) => {
        const current = await destinationOr404(db.kysely, callerProject(request), request.params.id)
        const requeued = await deliveries.requeueFailed(db.kysely, {
          destinationId: current.id,
          since: new Date(request.body.since),
          until: request.body.until ? new Date(request.body.until) : null,
          hold: !current.enabled,
          now: now(),
        })
        return reply.status(202).send({ requeued })
      },
    )

    app.post<{ Params: { id: string } }>(
      '/v1/destinations/:id/test',
      {
        config: admin,
        schema: {
          tags,
          summary:
            'Send a webhook.test event to a destination now (HTTP or email) and return the attempt',
          params: idParamsSchema,
          response: { 200: testResultSchema },
        },
      },
      async (request) => {
        const stored = await destinationOr404(db.kysely, callerProject(request), request.params.id)
        const row = await openDestination(box, stored.id, stored)
        const target = testTargetOf(row, signingSecrets(row, now()))
        return deliveries.sendTest(target, await projectOf(callerProject(request)))
      },
    )

    app.post<{ Body: UnsavedTarget }>(
      '/v1/destinations/test',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Send a webhook.test event to an unsaved destination configuration',
          description:
            'Takes what POST /v1/destinations takes, checked the same way; events are optional.',
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              type: destinationTypeSchema,
              ...webhookFieldSchemas,
              timeoutMs: { ...webhookFieldSchemas.timeoutMs, default: 15_000 },
              secret: {
                type: 'string',
                pattern: '^whsec_[A-Za-z0-9+/=]{32,}$',
                description: 'Sign with this secret; a throwaway one is used when absent.',
              },
            },
          },
          response: { 200: testResultSchema },
        },
      },
      async (request) => {
        const { secret, ...body } = request.body
        const fields = destinationFields({ ...body, events: body.events ?? ['*'] })
        const target = testTargetOf(fields, [secret ?? newSigningSecret()])
        return deliveries.sendTest(target, await projectOf(callerProject(request)))
      },
    )

    async function projectOf(projectId: string): Promise<{ id: string; name: string }> {
      const project = await findProject(db.kysely, projectId)
      if (!project) throw apiError('not_found', 'This project no longer exists.')
      return { id: project.id, name: project.name }
    }
  }
}

type UnsavedTarget = Omit<DestinationIn, 'events'> & { events?: string[]; secret?: string }
