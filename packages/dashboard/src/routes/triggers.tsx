import { Pager } from '../components/status.tsx'
import { AdminButton, Card, Empty, PageHead, ErrorNote, Time } from '../components/ui.tsx'
import { usePaged } from '../hooks.ts'
import { Link, navigate } from '../router.tsx'
import { useSession } from '../session-context.ts'

/** Inbound triggers: the URLs providers send to, and how each checks and routes requests. */
export function TriggersPage() {
  const { api } = useSession()
  const paged = usePaged((cursor) => api.triggers.list({ limit: 25, cursor }), 'triggers', {
    pollMs: 15_000,
  })
  const rows = paged.data?.data ?? []
  return (
    <>
      <PageHead
        title="Triggers"
        sub="Webhooks from providers: each trigger answers, verifies, stores and routes what arrives at its URL."
        actions={
          <AdminButton variant="primary" onClick={() => navigate('/triggers/new')}>
            New trigger
          </AdminButton>
        }
      />
      <ErrorNote error={paged.error} />
      <Card>
        {paged.data && rows.length === 0 ? (
          <Empty title="No triggers yet">
            <p>
              <Link to="/triggers/new">Create one</Link> step by step, then listen for its first
              request.
            </p>
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="triggers-table">
              <thead>
                <tr>
                  <th>Trigger</th>
                  <th>Level</th>
                  <th>Verification</th>
                  <th>URL</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((t) => (
                  <tr
                    key={t.id}
                    className="clickable"
                    onClick={() => navigate(`/triggers/${t.id}`)}
                  >
                    <td>
                      <Link to={`/triggers/${t.id}`} onClick={(e) => e.stopPropagation()}>
                        {t.name}
                      </Link>
                      <div className="muted small">{t.integration}</div>
                    </td>
                    <td>{t.level}</td>
                    <td>
                      {t.verification ? (
                        <span className="tag">{String(t.verification.preset ?? 'code')}</span>
                      ) : (
                        <span className="muted">none</span>
                      )}
                    </td>
                    <td className="mono small">{t.url}</td>
                    <td>
                      <Time at={t.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager paged={paged} />
      </Card>
    </>
  )
}
