import { apiError, ApiError } from '../errors.ts'
import { withTransaction, type Db, type Queryable } from '../store/index.ts'
import { isSealed, type SecretBox } from './secret-box.ts'
import type { SealedTable, SealedValue } from './sealed-table.ts'

/** What one table's pass did. */
export interface TableRotation {
  table: string
  rows: number
  /** Sealed again with the current key (a previous key had sealed them). */
  resealed: number
  /** Sealed with the current key already: left as they were. */
  current: number
  /** Plain text from before sealing (destinations), sealed now. */
  sealed: number
}

/** Progress as the CLI draws it (see cli/progress.ts). */
export interface RotationProgress {
  update(done: number): void
  finish(done: number): void
}

/**
 * `switchyard secrets rotate-key`: seals every sealed value of `tables` again with the
 * current key (the CLI passes every sealed table, cli/rotate-key.ts), a batch of rows per transaction. Idempotent: values the current key sealed are
 * left alone, so a re-run (or a run after a crash) writes only what is left.
 * @throws secret_key_unknown naming the table and value when no configured key opens one; that
 *   batch is rolled back, the batches before it stay done (they open with the current key)
 * @example const summary = await rotateSecretKey(db, box, sealedTables, { batchSize: 500 })
 */
export async function rotateSecretKey(
  db: Db,
  box: SecretBox,
  tables: readonly SealedTable<any>[],
  options: {
    batchSize?: number
    progress?: (table: string, total: number) => RotationProgress
  } = {},
): Promise<TableRotation[]> {
  const summary: TableRotation[] = []
  for (const table of tables) summary.push(await rotateTable(db, box, table, options))
  return summary
}

async function rotateTable<Row>(
  db: Db,
  box: SecretBox,
  table: SealedTable<Row>,
  options: { batchSize?: number; progress?: (table: string, total: number) => RotationProgress },
): Promise<TableRotation> {
  const result: TableRotation = { table: table.name, rows: 0, resealed: 0, current: 0, sealed: 0 }
  const progress = options.progress?.(table.name, await table.count(db.kysely))
  let after: Row | null = null
  for (;;) {
    const page: Row[] = await withTransaction(db.kysely, (tx) =>
      rotateBatch(tx, box, table, after, options.batchSize ?? 500, result),
    )
    result.rows += page.length
    progress?.update(result.rows)
    if (page.length < (options.batchSize ?? 500)) break
    after = page.at(-1)!
  }
  progress?.finish(result.rows)
  return result
}

/** One page, locked, sealed again and written in one transaction (no network I/O in it). */
async function rotateBatch<Row>(
  tx: Queryable,
  box: SecretBox,
  table: SealedTable<Row>,
  after: Row | null,
  limit: number,
  result: TableRotation,
): Promise<Row[]> {
  const page = await table.page(tx, after, limit)
  for (const row of page) {
    const values = table.values(row)
    const next = await Promise.all(values.map((v) => resealOne(box, table.name, v)))
    for (const n of next) result[n.outcome] += 1
    if (next.some((n) => n.outcome !== 'current'))
      await table.write(
        tx,
        row,
        next.map((n) => n.value),
      )
  }
  return page
}

async function resealOne(
  box: SecretBox,
  table: string,
  v: SealedValue,
): Promise<{ value: string; outcome: 'resealed' | 'current' | 'sealed' }> {
  if (!isSealed(v.value)) {
    if (v.legacyPlaintext) return { value: await box.seal(v.value, v.context), outcome: 'sealed' }
    throw apiError('secret_key_unknown', `A value of ${table} (${v.context}) is not sealed.`)
  }
  try {
    const value = await box.reseal(v.value, v.context)
    return value === null ? { value: v.value, outcome: 'current' } : { value, outcome: 'resealed' }
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'secret_key_unknown') throw error
    throw apiError(
      'secret_key_unknown',
      `A value of ${table} (${v.context}) opens with neither SWITCHYARD_SECRET_KEY nor SWITCHYARD_PREVIOUS_SECRET_KEYS: add the key that sealed it to SWITCHYARD_PREVIOUS_SECRET_KEYS and run the command again.`,
    )
  }
}
