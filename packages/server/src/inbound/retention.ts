import type { Logger } from 'pino'
import { periodic } from '../periodic.ts'
import { pruneByRetention, type RetainedLog } from '../projects/index.ts'
import { projectsOf, type Db, type Queryable } from '../store/index.ts'
import { deleteOldInboundRequests } from './request-store.ts'

/** Inbound requests, except those still waiting to be routed (`accepted`, `held`). */
const inboundLog: RetainedLog = {
  projects: (q) => projectsOf(q, 'inbound_requests'),
  deleteOld: deleteOldInboundRequests,
}

/**
 * Deletes inbound requests older than each project's `retentionDays` (the setting deliveries
 * use), except those still waiting to be routed: `accepted` and `held` stay until routed.
 * @returns how many requests were deleted
 * @example await pruneInboundRequests(db.kysely, { now: new Date() })
 */
export function pruneInboundRequests(q: Queryable, options: { now: Date }): Promise<number> {
  return pruneByRetention(q, inboundLog, options)
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
