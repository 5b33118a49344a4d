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

type SeedFormat = Exclude<WireFormat, 'standard'>

/*
 * The DESIGN table, column by column. null is a blank cell: the seed's receiver has no such
 * event, so a destination in that format never gets it. The managed-sync name for
 * trigger.received is ours: Paragon forwards inbound events without an event-name field, but
 * filters need a name to subscribe with.
 */
const names: Record<CanonicalType, Record<SeedFormat, string | null>> = {
  'sync.completed': {
    'managed-sync': 'sync_complete',
    workspace: 'integration_import_done',
    monitoring: null,
  },
  'sync.errored': { 'managed-sync': 'sync_errored', workspace: null, monitoring: null },
  'record.created': {
    'managed-sync': 'record_created',
    workspace: 'integration_new_data_model',
    monitoring: null,
  },
  'record.updated': {
    'managed-sync': 'record_updated',
    workspace: 'integration_updated_data_model',
    monitoring: null,
  },
  'record.deleted': {
    'managed-sync': 'record_deleted',
    workspace: 'integration_deleted_data_model',
    monitoring: null,
  },
  'record.errored': { 'managed-sync': 'record_errored', workspace: null, monitoring: null },
  'integration.installed': {
    'managed-sync': null,
    workspace: 'integration_installed',
    monitoring: null,
  },
  'credential.failed': {
    'managed-sync': null,
    workspace: 'integration_cannot_refresh_oauth_token',
    monitoring: 'credentials_failure',
  },
  'credential.fixed': {
    'managed-sync': null,
    workspace: 'integration_oauth_token_fixed',
    monitoring: null,
  },
  'workflow.failed': { 'managed-sync': null, workspace: null, monitoring: 'workflow_failure' },
  'webhook.test': {
    'managed-sync': 'webhook_test',
    workspace: 'webhook_test',
    monitoring: 'webhook_test',
  },
  'trigger.received': { 'managed-sync': 'trigger_received', workspace: null, monitoring: null },
  'destination.disabled': {
    'managed-sync': null,
    workspace: null,
    monitoring: 'destination_disabled',
  },
}

/**
 * The event's name in a format, or null when that format has no name for it.
 * `standard` uses the canonical names.
 *
 * @example
 * wireName('workspace', 'record.created') // 'integration_new_data_model'
 * wireName('monitoring', 'record.created') // null
 */
export function wireName(format: WireFormat, type: CanonicalType): string | null {
  return format === 'standard' ? type : names[type][format]
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
