import { apiError } from '../../errors.ts'
import { callerProject } from '../../http/auth.ts'
import { newId } from '../../ids.ts'
import type { Db } from '../../store/index.ts'
import { requireCredential } from '../../users/index.ts'
import { callerIdSchemaOf, idParams, requireTrigger } from '../routes.ts'
import type { TriggerRow } from '../types.ts'
import { handshakePresets } from './presets.ts'
import { closeWindows, openWindow } from './window-store.ts'
import { handshakeWindowOut, handshakeWindowSchema } from './window-view.ts'
import { noContentSchema, sendNoContent } from '../../http/responses.ts'
import type { TypedApp } from '../../http/typed.ts'
import { emptyBodyAsObject } from '../../http/optional-body.ts'

/** How long a window stays open unless the caller says: enough to run a provider's setup by hand. */
export const defaultWindowSeconds = 600
export const maxWindowSeconds = 3600

/**
 * `POST /v1/triggers/:id/expect-handshake` opens a window in which one handshake may replace the
 * value the trigger keeps (Asana's hookSecret, Notion's verificationToken); outside one, only the
 * first value is kept, so that nobody who merely knows the URL can install a signing secret.
 * `DELETE` closes the trigger's windows. Admin, like changing the trigger's secrets.
 */
export function registerHandshakeWindowRoutes(
  app: TypedApp,
  deps: { db: Db; now: () => Date },
): void {
  const { db } = deps
  app.post(
    '/v1/triggers/:id/expect-handshake',
    {
      config: { auth: { role: 'admin' } },
      schema: {
        tags: ['triggers'],
        summary:
          "Expect a handshake: for a while, the provider's next handshake may replace the secret the trigger keeps",
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            credentialId: {
              ...callerIdSchemaOf,
              description: 'A user-level trigger: the credential whose URL the handshake reaches.',
            },
            seconds: {
              type: 'integer',
              minimum: 1,
              maximum: maxWindowSeconds,
              default: defaultWindowSeconds,
              description: 'How long the window stays open; it closes once a value is kept.',
            },
          },
        },
        response: {
          201: {
            ...handshakeWindowSchema,
            properties: {
              ...handshakeWindowSchema.properties,
              triggerId: { type: 'string', format: 'uuid' },
            },
          },
        },
      },
      preValidation: emptyBodyAsObject,
    },
    async (request, reply) => {
      const projectId = callerProject(request)
      const trigger = await requireTrigger(db, projectId, request.params.id)
      const credentialId = windowScope(trigger, request.body.credentialId)
      if (credentialId !== '') await requireCredential(db, projectId, credentialId)
      const openedAt = deps.now()
      const seconds = request.body.seconds ?? defaultWindowSeconds
      const row = await openWindow(db.kysely, {
        id: newId(),
        trigger_id: trigger.id,
        credential_id: credentialId,
        kind: 'api',
        openedAt,
        expiresAt: new Date(openedAt.getTime() + seconds * 1000),
      })
      return reply.status(201).send({ triggerId: trigger.id, ...handshakeWindowOut(row) })
    },
  )

  app.delete(
    '/v1/triggers/:id/expect-handshake',
    {
      config: { auth: { role: 'admin' } },
      schema: {
        tags: ['triggers'],
        summary: "Stop expecting a handshake: close the trigger's open windows",
        params: idParams,
        response: { 204: noContentSchema },
      },
    },
    async (request, reply) => {
      const trigger = await requireTrigger(db, callerProject(request), request.params.id)
      await closeWindows(db.kysely, trigger.id, undefined)
      return sendNoContent(reply)
    },
  )
}

/** Where the trigger's handshakes arrive: the credential's URL, or '' for an app-level trigger. */
function windowScope(trigger: TriggerRow, credentialId: string | undefined): string {
  const response = trigger.response
  const preset = response?.preset ? handshakePresets[response.preset] : undefined
  if (response?.code === undefined && !preset?.persists?.length)
    throw apiError(
      'conflict',
      "This trigger's handshake keeps nothing (only Asana, Notion and custom respond() code do), so there is nothing to expect.",
    )
  if (trigger.level === 'app' && credentialId !== undefined)
    throw apiError('validation_failed', undefined, [
      {
        path: '/credentialId',
        message: "an app-level trigger's handshakes arrive without ?id=; leave it out",
      },
    ])
  if (trigger.level === 'user' && credentialId === undefined)
    throw apiError('validation_failed', undefined, [
      {
        path: '/credentialId',
        message: 'is required for a user-level trigger: handshakes arrive per credential',
      },
    ])
  return credentialId ?? ''
}
