import type { Queryable } from '../store/index.ts'
import { deliverySettingsOf } from './settings.ts'
import { findProject } from './store.ts'

const dayMs = 24 * 3600 * 1000
// Deletes run in chunks so one large project never holds a long transaction (on PGlite every
// other query, /hooks' inserts too, waits behind it).
const chunk = 5000

/** What one kind of log gives the retention sweep. */
export interface RetainedLog {
  /** The projects that have rows in it. */
  projects: (q: Queryable) => Promise<string[]>
  /** Deletes up to `limit` of a project's rows older than `before`; @returns how many. */
  deleteOld: (q: Queryable, projectId: string, before: Date, limit: number) => Promise<number>
}

/**
 * Deletes what each project keeps past its `retentionDays`, project by project, in chunks.
 * @returns how many rows were deleted
 * @example await pruneByRetention(db.kysely, deliveryLog, { now: new Date() })
 */
export async function pruneByRetention(
  q: Queryable,
  log: RetainedLog,
  options: { now: Date },
): Promise<number> {
  let deleted = 0
  for (const projectId of await log.projects(q)) {
    const project = await findProject(q, projectId)
    const { retentionDays } = deliverySettingsOf(project?.settings ?? {})
    const before = new Date(options.now.getTime() - retentionDays * dayMs)
    for (;;) {
      const n = await log.deleteOld(q, projectId, before, chunk)
      deleted += n
      if (n < chunk) break
    }
  }
  return deleted
}
