import { DestinationStatus, Pager } from '../components/status.tsx'
import { AdminButton, Card, Code, Empty, ErrorNote, PageHead, Time } from '../components/ui.tsx'
import { destinationLabel } from '../format.ts'
import { usePaged } from '../hooks.ts'
import { Link, navigate } from '../router.tsx'
import { useSession } from '../session-context.ts'

const pageSize = 25

/** Every destination, newest first, with where it points and how it is doing. */
export function DestinationsPage() {
  const { api } = useSession()
  const paged = usePaged(
    (cursor) => api.destinations.list({ limit: pageSize, cursor }),
    'destinations',
    {
      pollMs: 10_000,
    },
  )
  const rows = paged.data?.data ?? []
  return (
    <>
      <PageHead
        title="Destinations"
        sub="Where events go: each destination gets the events it subscribes to, in its wire format, signed."
        actions={
          <AdminButton variant="primary" onClick={() => navigate('/destinations/new')}>
            New destination
          </AdminButton>
        }
      />
      <ErrorNote error={paged.error} />
      <Card>
        {paged.data && rows.length === 0 && paged.pageNumber === 1 ? (
          <Empty title="No destinations yet">
            <p>Create one here, or with the API:</p>
            <Code>{createCurl()}</Code>
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="destinations-table">
              <thead>
                <tr>
                  <th>Destination</th>
                  <th>Events</th>
                  <th>Format</th>
                  <th>Status</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr
                    key={d.id}
                    className="clickable"
                    onClick={() => navigate(`/destinations/${d.id}`)}
                  >
                    <td>
                      <Link to={`/destinations/${d.id}`} onClick={(e) => e.stopPropagation()}>
                        {destinationLabel(d)}
                      </Link>
                      {d.managed ? <span className="tag">sync webhook</span> : null}
                      <div className="muted small mono">
                        {d.url ?? `email: ${(d.to ?? []).join(', ')}`}
                      </div>
                    </td>
                    <td>
                      <EventList events={d.events} />
                    </td>
                    <td>
                      <span className="tag">{d.format}</span>
                    </td>
                    <td>
                      <DestinationStatus destination={d} />
                    </td>
                    <td>
                      <Time at={d.createdAt} />
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

export function EventList({ events }: { events: string[] }) {
  if (events.includes('*')) return <span className="muted">every event</span>
  const shown = events.slice(0, 3)
  return (
    <span className="small" title={events.join(', ')}>
      {shown.join(', ')}
      {events.length > shown.length ? ` +${events.length - shown.length}` : ''}
    </span>
  )
}

function createCurl(): string {
  return [
    `curl -X POST ${window.location.origin}/v1/destinations \\`,
    `  -H "Authorization: Bearer $SWITCHYARD_API_KEY" -H 'content-type: application/json' \\`,
    `  -d '{"url": "https://example.com/webhooks", "events": ["*"], "format": "standard"}'`,
  ].join('\n')
}
