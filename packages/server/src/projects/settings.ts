import { type Queryable, type Tx } from '../store/index.ts'

/**
 * Project settings. The projects feature stores the generic ones; other features add their own
 * fields (e.g. delivery's `webhookUrl`) through a `SettingsExtension`.
 */
export interface DeliverySettings {
  /** Seconds between attempts; attempt n+1 waits retrySchedule[n-1], with jitter. */
  retrySchedule: number[]
  autoDisable: { afterDays: number; minConsecutiveFailures: number }
  retentionDays: number
  /** Weight in the dispatcher's fair share across projects. */
  deliveryWeight: number
}

export const defaultDeliverySettings: DeliverySettings = {
  retrySchedule: [5, 300, 1800, 7200, 18000, 36000, 36000],
  autoDisable: { afterDays: 5, minConsecutiveFailures: 20 },
  retentionDays: 30,
  deliveryWeight: 1,
}

/** Reads the effective delivery settings from a project's stored settings. */
export function deliverySettingsOf(stored: Record<string, unknown>): DeliverySettings {
  return {
    retrySchedule:
      (stored.retrySchedule as number[] | undefined) ?? defaultDeliverySettings.retrySchedule,
    autoDisable: {
      ...defaultDeliverySettings.autoDisable,
      ...((stored.autoDisable as Partial<DeliverySettings['autoDisable']> | undefined) ?? {}),
    },
    retentionDays:
      (stored.retentionDays as number | undefined) ?? defaultDeliverySettings.retentionDays,
    deliveryWeight:
      (stored.deliveryWeight as number | undefined) ?? defaultDeliverySettings.deliveryWeight,
  }
}

export const storedSettingsSchema = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  retrySchedule: {
    type: 'array',
    minItems: 0,
    maxItems: 20,
    items: { type: 'integer', minimum: 1, maximum: 7 * 24 * 3600 },
    description: 'Seconds to wait before each retry.',
  },
  autoDisable: {
    type: 'object',
    additionalProperties: false,
    properties: {
      afterDays: { type: 'number', minimum: 0.001, maximum: 365 },
      minConsecutiveFailures: { type: 'integer', minimum: 1, maximum: 100000 },
    },
  },
  retentionDays: { type: 'integer', minimum: 1, maximum: 3650 },
  deliveryWeight: {
    type: 'integer',
    minimum: 1,
    maximum: 100,
    description:
      "This project's weight in the dispatcher's fair share of sends in flight across projects; set by the instance admin (PATCH /v1/projects/:id), read-only for project keys. (Default: 1)",
  },
} as const

/**
 * A feature's own settings fields: its JSON Schema properties, how to apply and how to read them.
 * `apply` may return fields shown once, in the answer to the PUT that applied them (a secret
 * made by this change), never by a later read.
 */
export interface SettingsExtension {
  properties: Record<string, object>
  apply: (
    tx: Tx,
    projectId: string,
    body: Record<string, unknown>,
  ) => Promise<Record<string, unknown> | void>
  read: (q: Queryable, projectId: string) => Promise<Record<string, unknown>>
  /** Fields `read` and `apply` answer beyond `properties` (e.g. an id, a secret shown once). */
  readProperties?: Record<string, object>
}

/**
 * The answer of `GET` and `PUT /v1/settings`: the project's own fields, the delivery settings
 * in effect and each extension's fields. Open: a field an extension adds is never dropped.
 */
export function settingsOutSchema(extensions: readonly SettingsExtension[]) {
  const { name, ...delivery } = storedSettingsSchema
  return {
    type: 'object',
    additionalProperties: true,
    required: [
      'projectId',
      'name',
      'retrySchedule',
      'autoDisable',
      'retentionDays',
      'deliveryWeight',
    ],
    properties: {
      projectId: { type: 'string', format: 'uuid' },
      name,
      ownerEmail: { type: ['string', 'null'] },
      ...delivery,
      ...Object.assign({}, ...extensions.map((e) => ({ ...e.properties, ...e.readProperties }))),
    },
  } as const
}
