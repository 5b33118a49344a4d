import { renderWireFormat, type CatalogEvent, type WireFormat } from '../catalog/index.ts'
import type { Queryable } from '../store/index.ts'
import { gatherCoalesced, type Carrier, type Member } from './coalesce-store.ts'
import type { ClaimedDelivery } from './types.ts'

/*
 * Noise control (a destination's `coalesce` rules). The fan-out gives a delivery the rule's key
 * and makes it due when the rule's window ends; the claim of the key's first delivery folds the
 * later ones in (coalesce-store.ts), and this file renders the one body they share.
 */

/**
 * Folds, for each claimed delivery with a coalesce key, the key's later deliveries into it: one
 * query per such delivery, none for the others.
 * @returns the deliveries each carrier sends for (itself excluded), by carrier id
 */
export async function gatherMembers(
  q: Queryable,
  rows: readonly ClaimedDelivery[],
  now: Date,
): Promise<Map<string, Member[]>> {
  const members = new Map<string, Member[]>()
  for (const row of rows) {
    if (row.coalesce_key === null) continue
    members.set(row.id, await gatherCoalesced(q, carrierOf(row), now))
  }
  return members
}

/**
 * Members are folded in on the first claim only: a retry sends what the first attempt sent,
 * and later deliveries of the key (waiting behind it) form the next carrier. A rule removed
 * since the fan-out folds nothing in: each delivery then goes out alone.
 */
function carrierOf(row: ClaimedDelivery): Carrier {
  if (row.attempts > 1) return { id: row.id, windowMs: null, maxMembers: 0 }
  if (isBatchKey(row.coalesce_key)) {
    const rule = row.coalesce?.records
    return { id: row.id, windowMs: null, maxMembers: rule ? rule.maxBatchSize - 1 : 0 }
  }
  const rule = row.coalesce?.credentialFailed
  return { id: row.id, windowMs: rule?.windowMs ?? 0, maxMembers: rule ? null : 0 }
}

function isBatchKey(key: string | null): boolean {
  return key?.startsWith('sync:') ?? false
}

/**
 * The body of a delivery that carries others. A credential failure: the first event as the
 * format renders it, plus `coalesced`. A record batch: `{syncId, coalesced, records}`, each
 * record event as the format renders it, in creation order.
 * @param events the carrier's event first, then its members'
 * @example renderCoalesced('standard', 'credential:c1', [first, second], { publicUrl })
 * // { id, type: 'credential.failed', timestamp, data, coalesced: { count: 2, firstAt, lastAt, lastEventId } }
 */
export function renderCoalesced(
  format: WireFormat,
  key: string,
  events: readonly CatalogEvent[],
  options: { publicUrl: string },
): unknown | null {
  const first = events[0]
  const last = events.at(-1)
  if (!first || !last) return null
  const coalesced = {
    count: events.length,
    firstAt: first.occurredAt.toISOString(),
    lastAt: last.occurredAt.toISOString(),
  }
  if (isBatchKey(key)) {
    const records = events
      .map((e) => renderWireFormat(format, e, options))
      .filter((body) => body !== null)
    return { syncId: key.slice('sync:'.length), coalesced, records }
  }
  const body = renderWireFormat(format, first, options)
  if (body === null || typeof body !== 'object') return body
  return { ...body, coalesced: { ...coalesced, lastEventId: last.id } }
}
