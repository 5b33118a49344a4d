/**
 * How a destination orders deliveries: not at all, or one at a time per record / credential.
 * Its own file: the row type (store.ts) and the coalescing rules (coalesce-fields.ts) both
 * name it, and store.ts names the rules.
 */
export type DeliveryOrdering = 'none' | 'record' | 'credential'
