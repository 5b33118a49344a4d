import { LinkTable, RowLink } from '../components/link-table.tsx'
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
          <LinkTable
            testId="triggers-table"
            rows={rows}
            hrefOf={(t) => `/triggers/${t.id}`}
            columns={[
              {
                header: 'Trigger',
                cell: (t) => (
                  <>
                    <RowLink to={`/triggers/${t.id}`}>{t.name}</RowLink>
                    <div className="muted small">{t.integration}</div>
                  </>
                ),
              },
              { header: 'Level', cell: (t) => t.level },
              {
                header: 'Verification',
                cell: (t) =>
                  t.verification ? (
                    <span className="tag">{String(t.verification.preset ?? 'code')}</span>
                  ) : (
                    <span className="muted">none</span>
                  ),
              },
              { header: 'URL', cellClassName: 'mono small', cell: (t) => t.url },
              { header: 'Created', cell: (t) => <Time at={t.createdAt} /> },
            ]}
          />
        )}
        <Pager paged={paged} />
      </Card>
    </>
  )
}
