import { sql } from 'kysely'
import { query, type Queryable } from './db.ts'

/** Tables with a `project_id` index that retention walks project by project. */
export type ProjectTable = 'deliveries' | 'inbound_requests'

/**
 * The projects that have rows in `table`, by a loose index scan over its project index: one
 * probe per project instead of reading every row, as `select distinct` would.
 * @example await projectsOf(db.kysely, 'deliveries') // ['0199…', …]
 */
export async function projectsOf(q: Queryable, table: ProjectTable): Promise<string[]> {
  const t = sql.table(table)
  const rows = await query<{ project_id: string }>(
    q,
    sql`
    with recursive p as (
      (select project_id from ${t} order by project_id limit 1)
      union all
      select (select project_id from ${t} where project_id > p.project_id
              order by project_id limit 1)
      from p where p.project_id is not null
    )
    select project_id from p where project_id is not null`,
  )
  return rows.map((r) => r.project_id)
}
