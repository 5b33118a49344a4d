import type { Logger } from 'pino'
import { periodic } from '../periodic.ts'
import { pruneByRetention, type RetainedLog } from '../projects/index.ts'
import { projectsOf, type Db, type Queryable } from '../store/index.ts'
import type { ClaimChecks } from './claim-store.ts'
import { deleteOldDeliveries } from './log-store.ts'

/** Deliveries (their attempts go with them), except pending ones: those are still being worked on. */
const deliveryLog: RetainedLog = {
  projects: (q) => projectsOf(q, 'deliveries'),
  deleteOld: deleteOldDeliveries,
}

/**
 * Deletes deliveries (and their attempts) older than each project's `retentionDays`, except
 * pending ones.
 * @returns how many deliveries were deleted
 * @example await pruneDeliveries(db.kysely, { now: new Date() })
 */
export function pruneDeliveries(q: Queryable, options: { now: Date }): Promise<number> {
  return pruneByRetention(q, deliveryLog, options)
}

/**
 * The retention worker: prunes once at start and then every `intervalMs` (an hour by default).
 * @example workers: [createPruner({ db, log, now })]
 */
export function createPruner(deps: {
  db: Db
  log: Logger
  now: () => Date
  intervalMs?: number
  /** Its expired claim-check bodies go on the same round. */
  claims?: ClaimChecks
}): {
  name: string
  start(): Promise<void>
  stop(): Promise<void>
} {
  return periodic({
    name: 'delivery-pruner',
    intervalMs: deps.intervalMs ?? 3600_000,
    runAtStart: true,
    run: async () => {
      const deleted = await pruneDeliveries(deps.db.kysely, { now: deps.now() })
      if (deleted > 0) deps.log.info({ deleted }, 'pruned old deliveries')
      await deps.claims?.prune(deps.now())
    },
    onError: (err) => deps.log.warn({ err }, 'pruning deliveries failed'),
  })
}
