import { Fragment, useMemo } from 'react'
import { syncStatuses, type Sync, type SyncErrorCode } from '../api-types.ts'
import { Pager } from '../components/status.tsx'
import {
  Button,
  Card,
  Code,
  Empty,
  ErrorNote,
  PageHead,
  Pill,
  Time,
  type Tone,
} from '../components/ui.tsx'
import { useAction, useLoad, usePaged } from '../hooks.ts'
import { navigate, withQuery } from '../router.tsx'
import { useSession } from '../session-context.ts'

const statusTone: Record<Sync['status'], Tone> = {
  INITIALIZING: 'info',
  ACTIVE: 'good',
  IDLE: 'good',
  DISABLED: 'muted',
  ERRORED: 'bad',
}

/** Every sync, grouped by connected user: status, counts, last run, and what to do on an error. */
export function SyncsPage({ query }: { query: URLSearchParams }) {
  const { api } = useSession()
  const status = (query.get('status') ?? undefined) as Sync['status'] | undefined
  const userId = query.get('userId') ?? undefined
  const paged = usePaged(
    (cursor) => api.syncs.list({ status, userId, limit: 50, cursor }),
    JSON.stringify([status, userId]),
    { pollMs: 10_000 },
  )
  const codes = useLoad(() => api.syncs.errorCodes(), 'sync-error-codes')
  const codeMap = useMemo(
    () => new Map((codes.data?.data ?? []).map((c) => [c.code, c])),
    [codes.data],
  )
  const setFilter = (patch: Record<string, string | undefined>) =>
    navigate(withQuery('/syncs', { status, userId, ...patch }), { replace: true })
  // Grouped by user within the page; the API lists newest first.
  const rows = [...(paged.data?.data ?? [])].sort((a, b) => a.userId.localeCompare(b.userId))
  return (
    <>
      <PageHead
        title="Syncs"
        sub="Each connected user's syncs: how far they got, and what to do when one stops."
      />
      <div className="filters" role="search">
        <label className="field">
          <span>Status</span>
          <select
            name="status"
            value={status ?? ''}
            onChange={(e) => setFilter({ status: e.target.value })}
          >
            <option value="">any</option>
            {syncStatuses.map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>User</span>
          <input
            key={userId ?? ''}
            name="userId"
            placeholder="user id"
            defaultValue={userId ?? ''}
            onBlur={(e) => setFilter({ userId: e.target.value.trim() })}
            onKeyDown={(e) =>
              e.key === 'Enter' && setFilter({ userId: e.currentTarget.value.trim() })
            }
          />
        </label>
      </div>
      <ErrorNote error={paged.error} />
      <Card>
        {paged.data && rows.length === 0 ? (
          status || userId ? (
            <Empty title="No syncs match these filters" />
          ) : (
            <Empty title="No syncs yet">
              <p>A sync copies one integration model for a connected user. Start one:</p>
              <Code>{createSyncCurl()}</Code>
            </Empty>
          )
        ) : (
          <SyncTable rows={rows} codes={codeMap} onChange={paged.reload} />
        )}
        <Pager paged={paged} />
      </Card>
    </>
  )
}

function SyncTable(props: {
  rows: Sync[]
  codes: Map<string, SyncErrorCode>
  onChange: () => void
}) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="syncs-table">
        <thead>
          <tr>
            <th>Integration · model</th>
            <th>Status</th>
            <th className="num">Records</th>
            <th>Last synced</th>
            <th>Next run</th>
            <th>Error</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {props.rows.map((sync, i) => (
            <Fragment key={sync.id}>
              {sync.userId !== props.rows[i - 1]?.userId ? (
                <tr className="group-row">
                  <td colSpan={7}>
                    User <strong className="mono">{sync.userId}</strong>
                  </td>
                </tr>
              ) : null}
              <SyncRow
                sync={sync}
                code={sync.error ? props.codes.get(sync.error.code) : undefined}
                onChange={props.onChange}
              />
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function SyncRow({
  sync,
  code,
  onChange,
}: {
  sync: Sync
  code: SyncErrorCode | undefined
  onChange: () => void
}) {
  const { api } = useSession()
  const act = useAction(async (action: 'reenable' | 'disable') => {
    await api.syncs.action(sync.id, action)
    onChange()
  })
  const stopped = sync.status === 'ERRORED' || sync.status === 'DISABLED'
  return (
    <tr>
      <td>
        <span className="mono">{sync.integration}</span> · {sync.pipeline}
        {sync.configurationName ? (
          <div className="muted small">{sync.configurationName}</div>
        ) : null}
      </td>
      <td>
        <Pill tone={statusTone[sync.status]}>{sync.status.toLowerCase()}</Pill>
      </td>
      <td className="num" title={`${sync.summary.syncedRecordsCount} synced in all`}>
        {sync.summary.totalRecords}
      </td>
      <td>
        <Time at={sync.summary.lastSyncedAt} />
      </td>
      <td data-testid="next-run">
        <NextRun sync={sync} stopped={stopped} />
      </td>
      <td className="small">
        {sync.error ? (
          <>
            <span className="tag">{sync.error.code}</span> {sync.error.message}
            {code ? <div className="suggestion">→ {code.suggestedAction}</div> : null}
          </>
        ) : (
          <span className="muted">–</span>
        )}
        <ErrorNote error={act.error} />
      </td>
      <td>
        {stopped ? (
          <Button variant="primary" busy={act.busy} onClick={() => void act.run('reenable')}>
            Re-enable
          </Button>
        ) : (
          <Button variant="quiet" busy={act.busy} onClick={() => void act.run('disable')}>
            Pause
          </Button>
        )}
      </td>
    </tr>
  )
}

function createSyncCurl(): string {
  return [
    `curl -X POST ${window.location.origin}/v1/syncs \\`,
    `  -H "Authorization: Bearer $SWITCHYARD_API_KEY" -H 'content-type: application/json' \\`,
    `  -d '{"userId": "user_1", "integration": "googledrive", "pipeline": "files"}'`,
  ].join('\n')
}

/**
 * When the engine runs the sync next. Only built-in connectors' syncs are run by the engine; a
 * sync an outside worker runs has a `nextRunAt` too (the schedule's hint to that worker), which
 * read as "Next run 2 min ago" once the worker ran late or ran on its own timetable.
 */
function NextRun({ sync, stopped }: { sync: Sync; stopped: boolean }) {
  if (stopped || !sync.nextRunAt) return <span className="muted">–</span>
  if (sync.runBy === 'worker')
    return (
      <span className="muted" title="Run by your sync worker, not by Switchyard">
        – <span className="small">(your worker)</span>
      </span>
    )
  return <Time at={sync.nextRunAt} />
}
