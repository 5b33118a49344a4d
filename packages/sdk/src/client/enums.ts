import type { WireFormat } from '../generated/events.ts'
import type { DeliveryStatus, InboundOutcome, SyncStatus } from './types.ts'

/*
 * The API's enums as values, for pickers and filters. The types come from the generated
 * OpenAPI types; `every` makes the compiler refuse a list that misses or invents a member, so
 * a value the server adds fails `npm run typecheck` here instead of going missing in a client.
 */

type Every<Union, List extends readonly unknown[]> = [Union] extends [List[number]]
  ? [List[number]] extends [Union]
    ? List
    : never
  : never
const every =
  <Union>() =>
  <const List extends readonly Union[]>(list: Every<Union, List>): List =>
    list

/** The wire formats a destination can pick, `standard` first (the default). */
export const wireFormats = every<WireFormat>()([
  'standard',
  'managed-sync',
  'workspace',
  'monitoring',
])

/** A delivery's statuses, in the order a delivery goes through them. */
export const deliveryStatuses = every<DeliveryStatus>()([
  'pending',
  'held',
  'succeeded',
  'failed',
  'coalesced',
])

/** A sync's statuses. */
export const syncStatuses = every<SyncStatus>()([
  'INITIALIZING',
  'ACTIVE',
  'IDLE',
  'DISABLED',
  'ERRORED',
])

/** How an inbound request was judged and routed (`GET /v1/inbound-requests?outcome`). */
export const inboundOutcomes = every<InboundOutcome>()([
  'received',
  'handshake',
  'rejected',
  'error',
  'accepted',
  'routed',
  'unrouted',
  'held',
  'failed',
])
