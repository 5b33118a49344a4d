import { LinkTable, RowLink } from '../components/link-table.tsx'
import { DestinationStatus, Pager } from '../components/status.tsx'
import { AdminButton, Card, Code, Empty, ErrorNote, PageHead, Time } from '../components/ui.tsx'
import { destinationLabel } from '../format.ts'
import { usePaged } from '../hooks.ts'
import { navigate } from '../router.tsx'
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
          <LinkTable
            testId="destinations-table"
            rows={rows}
            hrefOf={(d) => `/destinations/${d.id}`}
            columns={[
              {
                header: 'Destination',
                cell: (d) => (
                  <>
                    <RowLink to={`/destinations/${d.id}`}>{destinationLabel(d)}</RowLink>
                    {d.managed ? <span className="tag">sync webhook</span> : null}
                    <div className="muted small mono">
                      {d.url ?? `email: ${(d.to ?? []).join(', ')}`}
                    </div>
                  </>
                ),
              },
              { header: 'Events', cell: (d) => <EventList events={d.events} /> },
              { header: 'Format', cell: (d) => <span className="tag">{d.format}</span> },
              { header: 'Status', cell: (d) => <DestinationStatus destination={d} /> },
              { header: 'Created', cell: (d) => <Time at={d.createdAt} /> },
            ]}
          />
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
