import type { CanonicalType } from '../catalog/index.ts'
import type { SettingsExtension } from '../projects/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { createDestination, patchDestination } from './destinations.ts'
import { deleteDestination, findManagedDestination } from './store.ts'
import { checkTargetUrl } from './validate.ts'

/** The events the project webhook gets: what a sync reports. */
export const projectWebhookEvents: readonly CanonicalType[] = [
  'sync.completed',
  'sync.errored',
  'record.created',
  'record.updated',
  'record.deleted',
  'record.errored',
]

const managedBy = 'settings.webhookUrl'

/**
 * `webhookUrl` in `GET/PUT /v1/settings`: the project webhook, a `managed-sync` destination for
 * the sync and record events. PUT with a URL creates or re-targets it, null deletes it. The PUT
 * that creates it answers its signing secret once, as `webhookSecret` (like `POST
 * /v1/destinations`); re-targeting keeps the secret, and no read shows it. A new one:
 * `POST /v1/destinations/{webhookDestinationId}/rotate-secret`.
 * @example settingsExtensions: [webhookUrlSetting({ now, box })]
 */
export function webhookUrlSetting(deps: { now: () => Date; box: SecretBox }): SettingsExtension {
  return {
    properties: {
      webhookUrl: {
        type: ['string', 'null'],
        maxLength: 2048,
        description:
          'Where sync and record events go (managed-sync format); null removes it. The answer to the PUT that creates it carries its signing secret once, as webhookSecret.',
      },
    },
    readProperties: {
      webhookDestinationId: {
        type: ['string', 'null'],
        format: 'uuid',
        description: 'The destination webhookUrl created, null without one.',
      },
      webhookSecret: {
        type: 'string',
        description: 'The signing secret, only in the answer to the PUT that created the webhook.',
      },
    },
    apply: async (tx, projectId, body) => {
      if (!('webhookUrl' in body)) return
      const url = body.webhookUrl as string | null
      const current = await findManagedDestination(tx, projectId, managedBy)
      if (url === null) {
        if (current) await deleteDestination(tx, projectId, current.id)
        return
      }
      checkTargetUrl(url, '/webhookUrl')
      if (current) {
        await patchDestination(tx, deps.box, current, { url }, deps.now())
        return
      }
      const { secret } = await createDestination(
        tx,
        projectId,
        { name: 'Project webhook', url, events: [...projectWebhookEvents], format: 'managed-sync' },
        { now: deps.now(), box: deps.box, managedBy },
      )
      return { webhookSecret: secret }
    },
    read: async (q, projectId) => {
      const row = await findManagedDestination(q, projectId, managedBy)
      return { webhookUrl: row?.url ?? null, webhookDestinationId: row?.id ?? null }
    },
  }
}
