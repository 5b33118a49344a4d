import type { CanonicalType } from './types.ts'

/**
 * What each canonical type means, in the order the catalog lists them.
 * The keys are the canonical names; `canonicalTypes` is derived from them.
 */
const descriptions: Record<CanonicalType, string> = {
  'sync.completed': 'An initial sync run finished; numRecords records are available.',
  'sync.errored': 'A sync stopped on a permanent error and is ERRORED until re-enabled.',
  'record.created': 'A sync found a record it had not seen before.',
  'record.updated': "A sync found a change to a record's content.",
  'record.deleted': 'A full sync run no longer found a record (deleted or access revoked).',
  'record.errored': 'A sync could not process one record; the run goes on.',
  'integration.installed': 'A connected user connected an integration (a credential was created).',
  'credential.failed': 'A credential could not be refreshed and is marked invalid.',
  'credential.fixed': 'A credential that had failed works again.',
  'workflow.failed': 'A workflow execution reached the failed status.',
  'webhook.test': 'A test event, sent when a destination is tested.',
  'trigger.received': 'A provider webhook arrived on a trigger and was routed to a connected user.',
  'trigger.failed':
    'A webhook a trigger accepted could not be routed after repeated tries; replay it once fixed.',
  'destination.disabled': 'A destination was disabled after failing deliveries (or a 410 Gone).',
}

/**
 * The canonical event types, in catalog order.
 *
 * @example
 * canonicalTypes.includes('record.created') // true
 */
export const canonicalTypes: readonly CanonicalType[] = Object.freeze(
  Object.keys(descriptions) as CanonicalType[],
)

const canonicalTypeSet: ReadonlySet<string> = new Set(canonicalTypes)

/**
 * Whether `name` is a canonical type name (not a wire name).
 *
 * @example
 * isCanonicalType('record.created') // true
 * isCanonicalType('record_created') // false
 */
export function isCanonicalType(name: string): name is CanonicalType {
  return canonicalTypeSet.has(name)
}

/**
 * The one-line description of a canonical type.
 *
 * @example
 * describeType('webhook.test') // 'A test event, sent when a destination is tested.'
 */
export function describeType(type: CanonicalType): string {
  return descriptions[type]
}
