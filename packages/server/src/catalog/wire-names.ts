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
 * field, but filters need a name to subscribe with.
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
  'webhook.test':          ['webhook_test',     'webhook_test',                           'webhook_test'],
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
 *
 * @example
 * resolveEventFilter(['record_created', 'workflow_failure'])
 * // { ok: true, types: ['record.created', 'workflow.failed'] }
 * resolveEventFilter(['*']) // { ok: true, types: '*' }
 * resolveEventFilter(['record_made']) // { ok: false, unknown: ['record_made'] }
 */
export function resolveEventFilter(
  filter: readonly string[],
): { ok: true; types: CanonicalType[] | '*' } | { ok: false; unknown: string[] } {
  const unknown = filter.filter((name) => name !== '*' && !typeByName.has(name))
  if (unknown.length > 0) return { ok: false, unknown: [...new Set(unknown)] }
  if (filter.includes('*')) return { ok: true, types: '*' }
  const wanted = new Set(filter.map((name) => typeByName.get(name)))
  return { ok: true, types: canonicalTypes.filter((type) => wanted.has(type)) }
}
