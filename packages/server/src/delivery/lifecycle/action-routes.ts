import type { FastifyPluginAsync } from 'fastify'
import {
  destinationFields,
  destinationOr404,
  destinationOutSchema,
  destinationTypeSchema,
  idParamsSchema,
  newSigningSecret,
  openDestination,
  shownDestination,
  signingSecrets,
  webhookFieldSchemas,
  type DestinationIn,
} from '../../destinations/index.ts'
import type { Publisher } from '../../events/index.ts'
import { apiError } from '../../errors.ts'
import { callerProject, portalUserOf } from '../../http/auth.ts'
import { findProject } from '../../projects/index.ts'
import { notify, type Db } from '../../store/index.ts'
import type { SecretBox } from '../../secrets/index.ts'
import type { AttemptDeps } from '../attempt.ts'
import { deliveriesChannel } from '../fan-out.ts'
import { requeueFailed } from '../store.ts'
import { sendTestEvent, testResultSchema, testTargetOf } from './test-send.ts'
import { changeState } from './transition.ts'
import { typed } from '../../http/typed.ts'
import { emptyBodyAsObject, optionalBody } from '../../http/optional-body.ts'

export interface LifecycleRoutesDeps extends AttemptDeps {
  db: Db
  publisher: Publisher
  /** Opens destination secrets to send tests and to answer. */
  box: SecretBox
}

// A portal session may use these too (not when read-only), on its own destinations only.
const admin = { auth: { role: 'admin', portal: 'write' } } as const
const tags = ['destinations']

/** Enable, disable, recover and test: thin handlers over `changeState` and the test send. */
export function lifecycleActionRoutes(deps: LifecycleRoutesDeps): FastifyPluginAsync {
  const { db, now, box } = deps
  return async (plugin) => {
    const app = typed(plugin)
    app.post(
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
        const current = await destinationOr404(
          db.kysely,
          callerProject(request),
          request.params.id,
          portalUserOf(request),
        )
        const done = await changeState(deps, current.id, { kind: 'admin_enable' })
        return shownDestination(box, done?.row ?? current)
      },
    )

    app.post(
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
        const current = await destinationOr404(
          db.kysely,
          callerProject(request),
          request.params.id,
          portalUserOf(request),
        )
        const reason = request.body.reason ?? 'disabled by an admin'
        const done = await changeState(deps, current.id, { kind: 'admin_disable', reason })
        return shownDestination(box, done?.row ?? current)
      },
    )

    app.post(
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
        const current = await destinationOr404(
          db.kysely,
          callerProject(request),
          request.params.id,
          portalUserOf(request),
        )
        // Held while the destination is off: they go when it is enabled.
        const hold = !current.enabled
        const requeued = await requeueFailed(db.kysely, {
          destinationId: current.id,
          since: new Date(request.body.since),
          until: request.body.until ? new Date(request.body.until) : null,
          hold,
          now: now(),
        })
        if (requeued > 0 && !hold) await notify(db.kysely, deliveriesChannel)
        return reply.status(202).send({ requeued })
      },
    )

    app.post(
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
        const stored = await destinationOr404(
          db.kysely,
          callerProject(request),
          request.params.id,
          portalUserOf(request),
        )
        const row = await openDestination(box, stored.id, stored)
        const target = testTargetOf(row, signingSecrets(row, now()))
        return sendTestEvent(deps, target, await projectOf(callerProject(request)))
      },
    )

    app.post(
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
        // The schema leaves a preset's options loose; destinationFields checks them.
        const { secret, ...body } = request.body as UnsavedTarget
        const fields = destinationFields({ ...body, events: body.events ?? ['*'] })
        const target = testTargetOf(fields, [secret ?? newSigningSecret()])
        return sendTestEvent(deps, target, await projectOf(callerProject(request)))
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
