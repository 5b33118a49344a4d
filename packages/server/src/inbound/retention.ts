import type { Logger } from 'pino'
import { periodic } from '../periodic.ts'
import { deliverySettingsOf, findProject } from '../projects/index.ts'
import type { Db, Queryable } from '../store/index.ts'
import { deleteOldInboundRequests, projectsWithInboundRequests } from './request-store.ts'

const dayMs = 24 * 3600 * 1000
// Deletes run in chunks, like the delivery pruner's, so one busy trigger never holds a long
// transaction (on PGlite every other query, /hooks' inserts too, waits behind it).
const chunk = 5000

/**
 * Deletes inbound requests older than each project's `retentionDays` (the setting deliveries
 * use), except those still waiting to be routed: `accepted` and `held` stay until routed.
 * @returns how many requests were deleted
 * @example await pruneInboundRequests(db.kysely, { now: new Date() })
 */
export async function pruneInboundRequests(q: Queryable, options: { now: Date }): Promise<number> {
  let deleted = 0
  for (const projectId of await projectsWithInboundRequests(q)) {
    const project = await findProject(q, projectId)
    const { retentionDays } = deliverySettingsOf(project?.settings ?? {})
    const before = new Date(options.now.getTime() - retentionDays * dayMs)
    for (;;) {
      const n = await deleteOldInboundRequests(q, projectId, before, chunk)
      deleted += n
      if (n < chunk) break
    }
  }
  return deleted
}

/**
 * The inbound request log's retention worker: prunes once at start and then every `intervalMs`
 * (an hour by default), beside the delivery pruner.
 * @example workers: [createInboundPruner({ db, log, now })]
 */
export function createInboundPruner(deps: {
  db: Db
  log: Logger
  now: () => Date
  intervalMs?: number
}) {
  return periodic({
    name: 'inbound-pruner',
    intervalMs: deps.intervalMs ?? 3600_000,
    runAtStart: true,
    run: async () => {
      const deleted = await pruneInboundRequests(deps.db.kysely, { now: deps.now() })
      if (deleted > 0) deps.log.info({ deleted }, 'pruned old inbound requests')
    },
    onError: (err) => deps.log.warn({ err }, 'pruning inbound requests failed'),
  })
}
