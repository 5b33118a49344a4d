import type { Queryable } from '../store/index.ts'

/** One value a table keeps sealed, with the context it was sealed for. */
export interface SealedValue {
  context: string
  value: string
  /** Destinations written before sealing hold plain text; anywhere else plain text is corrupt. */
  legacyPlaintext?: boolean
}

/**
 * A table's sealed values as `switchyard secrets rotate-key` walks them: pages in key order,
 * each row's values, and a write of the values sealed again. Each feature that seals describes
 * its own tables (its `sealed-store.ts`); the command only composes them.
 */
export interface SealedTable<Row> {
  /** As the command's progress names it: `credential tokens`. */
  name: string
  count(q: Queryable): Promise<number>
  /** Up to `limit` rows after `after` (null: from the first) in key order, locked for update. */
  page(q: Queryable, after: Row | null, limit: number): Promise<Row[]>
  values(row: Row): SealedValue[]
  /** Stores `values`, in the order `values(row)` gave them. */
  write(q: Queryable, row: Row, values: readonly string[]): Promise<void>
}
