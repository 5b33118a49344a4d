import { query, type Queryable, sql } from '../store/index.ts'

/** The only file that names the audit_log table. */

export interface AuditRow {
  id: string
  project_id: string
  action: string
  target_type: string
  target_id: string | null
  actor: AuditActor
  changes: unknown
  request_id: string
  ip: string | null
  created_at: Date
}

export type AuditActor =
  | { type: 'key'; id: string; role: string }
  | { type: 'instance' }
  | { type: 'portal_session'; id: string; userId: string | null }

export async function insertAuditEntry(q: Queryable, row: AuditRow): Promise<void> {
  await query(
    q,
    sql`
    insert into audit_log (id, project_id, action, target_type, target_id, actor, changes,
                           request_id, ip, created_at)
    values (${row.id}, ${row.project_id}, ${row.action}, ${row.target_type}, ${row.target_id},
            ${JSON.stringify(row.actor)}::jsonb, ${jsonOrNull(row.changes)}::jsonb,
            ${row.request_id}, ${row.ip}, ${row.created_at.toISOString()}::timestamptz)`,
  )
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value)
}

export interface AuditFilter {
  before: string | null
  limit: number
  action?: string
  targetId?: string
  since?: Date
  until?: Date
}

/** A page of a project's audit log, newest first, narrowed by the filter's fields. */
export async function listAuditEntries(
  q: Queryable,
  projectId: string,
  f: AuditFilter,
): Promise<AuditRow[]> {
  return query<AuditRow>(
    q,
    sql`
    select * from audit_log
    where project_id = ${projectId}
      and (${f.before}::uuid is null or id < ${f.before}::uuid)
      and (${f.action ?? null}::text is null or action = ${f.action ?? null})
      and (${f.targetId ?? null}::text is null or target_id = ${f.targetId ?? null})
      and (${f.since?.toISOString() ?? null}::timestamptz is null
           or created_at >= ${f.since?.toISOString() ?? null}::timestamptz)
      and (${f.until?.toISOString() ?? null}::timestamptz is null
           or created_at < ${f.until?.toISOString() ?? null}::timestamptz)
    order by id desc limit ${f.limit}`,
  )
}
