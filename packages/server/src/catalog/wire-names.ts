import { canonicalTypes } from './event-types.ts'
import type { CanonicalType, WireFormat } from './types.ts'

/**
 * The wire formats, in catalog order.
 *
 * @example
 * wireFormats // ['managed-sync', 'workspace', 'monitoring', 'standard']
 */
export const wireFormats: readonly WireFormat[] = Object.freeze([
  'managed-sync',
  'workspace',
  'monitoring',
  'standard',
] as const)

/*
 * The DESIGN table: [managed-sync, workspace, monitoring]. null is a blank cell: the seed's
 * receiver has no such event, so a destination in that format never gets it. The managed-sync
 * name for trigger.received is ours: Paragon forwards inbound events without an event-name
 * field, but filters need a name to subscribe with. webhook.test is `webhook_verification` in
 * managed-sync: the ping Paragon's own receiver (useparagon/managed-sync-s3-uploader,
 * src/routes/webhooks.ts) answers 200 before it checks syncInstanceId and user.id.
 */
// prettier-ignore
const names: Record<CanonicalType, readonly [string | null, string | null, string | null]> = {
  'sync.completed':        ['sync_complete',    'integration_import_done',                null],
  'sync.errored':          ['sync_errored',     null,                                     null],
  'record.created':        ['record_created',   'integration_new_data_model',             null],
  'record.updated':        ['record_updated',   'integration_updated_data_model',         null],
  'record.deleted':        ['record_deleted',   'integration_deleted_data_model',         null],
  'record.errored':        ['record_errored',   null,                                     null],
  'integration.installed': [null,               'integration_installed',                  null],
  'credential.failed':     [null,               'integration_cannot_refresh_oauth_token', 'credentials_failure'],
  'credential.fixed':      [null,               'integration_oauth_token_fixed',          null],
  'workflow.failed':       [null,               null,                                     'workflow_failure'],
  'webhook.test':          ['webhook_verification', 'webhook_test',                       'webhook_test'],
  'trigger.received':      ['trigger_received', null,                                     null],
  'trigger.failed':        [null,               null,                                     'trigger_failure'],
  'destination.disabled':  [null,               null,                                     'destination_disabled'],
}

const column = { 'managed-sync': 0, workspace: 1, monitoring: 2 } as const

/**
 * The event's name in a format, or null when that format has no name for it.
 * `standard` uses the canonical names.
 *
 * @example
 * wireName('workspace', 'record.created') // 'integration_new_data_model'
 * wireName('monitoring', 'record.created') // null
 */
export function wireName(format: WireFormat, type: CanonicalType): string | null {
  return format === 'standard' ? type : names[type][column[format]]
}

/**
 * The formats that have a name for a type, in catalog order: where a destination can receive it.
 *
 * @example
 * formatsCarrying('integration.installed') // ['workspace', 'standard']
 */
export function formatsCarrying(type: CanonicalType): WireFormat[] {
  return wireFormats.filter((format) => wireName(format, type) !== null)
}

// Every name any format uses, to the one canonical type it stands for. A name shared by
// formats (webhook_test) stands for the same type in each, so the map is well defined.
const typeByName: ReadonlyMap<string, CanonicalType> = new Map(
  canonicalTypes.flatMap((type) =>
    wireFormats.flatMap((format) => {
      const name = wireName(format, type)
      return name === null ? [] : [[name, type] as const]
    }),
  ),
)

/**
 * Turns a destination's event filter into canonical types. Accepts canonical names, any
 * format's names and "*" (every type); the result lists types in catalog order, once each.
 * `named` lists the types the filter names explicitly, "*" aside (for checks against a format).
 *
 * @example
 * resolveEventFilter(['record_created', 'workflow_failure'])
 * // { ok: true, types: ['record.created', 'workflow.failed'], named: [same] }
 * resolveEventFilter(['*']) // { ok: true, types: '*', named: [] }
 * resolveEventFilter(['record_made']) // { ok: false, unknown: ['record_made'] }
 */
export function resolveEventFilter(
  filter: readonly string[],
):
  | { ok: true; types: CanonicalType[] | '*'; named: CanonicalType[] }
  | { ok: false; unknown: string[] } {
  const unknown = filter.filter((name) => name !== '*' && !typeByName.has(name))
  if (unknown.length > 0) return { ok: false, unknown: [...new Set(unknown)] }
  const wanted = new Set(filter.map((name) => typeByName.get(name)))
  const named = canonicalTypes.filter((type) => wanted.has(type))
  return { ok: true, types: filter.includes('*') ? '*' : named, named }
}
