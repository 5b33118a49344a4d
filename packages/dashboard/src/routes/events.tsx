import { LinkTable, RowLink } from '../components/link-table.tsx'
import { Pager } from '../components/status.tsx'
import { Button, Card, Code, Empty, ErrorNote, PageHead, Time } from '../components/ui.tsx'
import { useEventTypes } from '../event-types.ts'
import { shortId } from '../format.ts'
import { usePaged } from '../hooks.ts'
import { navigate } from '../router.tsx'
import { useSession } from '../session-context.ts'
import { publishCurl, TimeFilter } from './deliveries.tsx'

function eventsUrl(types: string[], since?: string, until?: string): string {
  const params = new URLSearchParams()
  for (const t of types) params.append('type', t)
  if (since) params.set('since', since)
  if (until) params.set('until', until)
  const text = params.toString()
  return text ? `/events?${text}` : '/events'
}

/** The event stream, newest first, live; filter by type and time. */
export function EventsPage({ query }: { query: URLSearchParams }) {
  const { api } = useSession()
  const catalog = useEventTypes()
  const types = query.getAll('type')
  const since = query.get('since') ?? undefined
  const until = query.get('until') ?? undefined
  const key = JSON.stringify([types, since, until])
  const paged = usePaged(
    (cursor) =>
      api.events.list({ type: types.length ? types : undefined, since, until, limit: 25, cursor }),
    key,
    { pollMs: 5000 },
  )
  const go = (next: { types?: string[]; since?: string; until?: string }) =>
    navigate(
      eventsUrl(
        next.types ?? types,
        'since' in next ? next.since : since,
        'until' in next ? next.until : until,
      ),
      {
        replace: true,
      },
    )
  const toggle = (type: string) =>
    go({ types: types.includes(type) ? types.filter((t) => t !== type) : [...types, type] })
  const rows = paged.data?.data ?? []
  const filtered = types.length > 0 || since || until
  return (
    <>
      <PageHead title="Events" sub="Every fact published to this project, newest first." />
      <div className="chips" role="group" aria-label="Event types">
        {(catalog.data ?? []).map((t) => (
          <button
            type="button"
            key={t.type}
            className={`chip ${types.includes(t.type) ? 'chip-on' : ''}`}
            aria-pressed={types.includes(t.type)}
            title={t.description}
            onClick={() => toggle(t.type)}
          >
            {t.type}
          </button>
        ))}
      </div>
      <div className="filters">
        <TimeFilter label="Since" value={since} onChange={(v) => go({ since: v })} />
        <TimeFilter label="Until" value={until} onChange={(v) => go({ until: v })} />
        {filtered ? (
          <Button variant="quiet" onClick={() => navigate('/events', { replace: true })}>
            Clear filters
          </Button>
        ) : null}
      </div>
      <ErrorNote error={paged.error ?? catalog.error} />
      <Card>
        {paged.data && rows.length === 0 ? (
          filtered ? (
            <Empty title="No events match these filters" />
          ) : (
            <Empty title="No events yet">
              <p>Publish one with the API (or the SDK's client.events.create):</p>
              <Code>{publishCurl()}</Code>
            </Empty>
          )
        ) : (
          <LinkTable
            testId="events-table"
            rows={rows}
            hrefOf={(e) => `/events/${e.id}`}
            columns={[
              { header: 'Occurred', cell: (e) => <Time at={e.occurredAt} /> },
              {
                header: 'Type',
                cell: (e) => (
                  <RowLink to={`/events/${e.id}`} className="mono">
                    {e.type}
                  </RowLink>
                ),
              },
              { header: 'User', cell: (e) => e.userId ?? <span className="muted">–</span> },
              {
                header: 'Integration',
                cell: (e) => e.integration ?? <span className="muted">–</span>,
              },
              {
                header: 'Id',
                cellClassName: 'mono small muted',
                cell: (e) => <span title={e.id}>{shortId(e.id)}</span>,
              },
            ]}
          />
        )}
        <Pager paged={paged} />
      </Card>
    </>
  )
}
