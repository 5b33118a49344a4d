import type { Logger } from 'pino'
import { periodic } from '../periodic.ts'
import { deliverySettingsOf, findProject } from '../projects/index.ts'
import type { Db, Queryable } from '../store/index.ts'
import type { ClaimChecks } from './claim-store.ts'
import { deleteOldDeliveries, projectsWithDeliveries } from './log-store.ts'

const dayMs = 24 * 3600 * 1000
// Deletes run in chunks so one large project never holds a long transaction (on PGlite every
// other query waits behind it).
const chunk = 5000

/**
 * Deletes deliveries (and their attempts) older than each project's `retentionDays`, except
 * pending ones.
 * @returns how many deliveries were deleted
 * @example await pruneDeliveries(db.kysely, { now: new Date() })
 */
export async function pruneDeliveries(q: Queryable, options: { now: Date }): Promise<number> {
  let deleted = 0
  for (const projectId of await projectsWithDeliveries(q)) {
    const project = await findProject(q, projectId)
    const { retentionDays } = deliverySettingsOf(project?.settings ?? {})
    const before = new Date(options.now.getTime() - retentionDays * dayMs)
    for (;;) {
      const n = await deleteOldDeliveries(q, projectId, before, chunk)
      deleted += n
      if (n < chunk) break
    }
  }
  return deleted
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
