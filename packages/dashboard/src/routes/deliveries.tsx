import { useMemo } from 'react'
import type { DeliveryQuery } from '../api.ts'
import { deliveryStatuses, type DeliveryStatus } from '../api-types.ts'
import { DeliveriesTable } from '../components/deliveries-table.tsx'
import { Pager } from '../components/status.tsx'
import { Button, Card, Code, Empty, ErrorNote, PageHead } from '../components/ui.tsx'
import { destinationLabel, isoToLocalInput, localInputToIso } from '../format.ts'
import { useLoad, usePaged } from '../hooks.ts'
import { navigate, withQuery } from '../router.tsx'
import { useSession } from '../session-context.ts'

const filterNames = ['status', 'destinationId', 'eventId', 'since', 'until'] as const
type Filters = Partial<Record<(typeof filterNames)[number], string>>

function filtersOf(query: URLSearchParams): Filters {
  return Object.fromEntries(
    filterNames.map((n) => [n, query.get(n) ?? undefined]).filter(([, v]) => v),
  )
}

/** The delivery log, filterable by status, destination, event and time; filters live in the URL. */
export function DeliveriesPage({ query }: { query: URLSearchParams }) {
  const { api } = useSession()
  const filters = filtersOf(query)
  const key = JSON.stringify(filters)
  const destinations = useLoad(() => api.destinations.all(), 'destinations')
  const byId = useMemo(
    () => new Map((destinations.data ?? []).map((d) => [d.id, d])),
    [destinations.data],
  )
  const request: DeliveryQuery = {
    ...filters,
    status: filters.status as DeliveryStatus | undefined,
    limit: 25,
  }
  const paged = usePaged((cursor) => api.deliveries.list({ ...request, cursor }), key, {
    pollMs: 5000,
  })
  const setFilter = (patch: Filters) =>
    navigate(withQuery('/deliveries', { ...filters, ...patch }), { replace: true })
  const rows = paged.data?.data ?? []
  const filtered = Object.keys(filters).length > 0
  return (
    <>
      <PageHead
        title="Deliveries"
        sub="Each event sent to each destination, with every attempt. Newest first."
      />
      <div className="filters" role="search">
        <label className="field">
          <span>Status</span>
          <select
            name="status"
            value={filters.status ?? ''}
            onChange={(e) => setFilter({ status: e.target.value })}
          >
            <option value="">any</option>
            {deliveryStatuses.map((s) => (
              <option key={s} value={s}>
                {s === 'pending' ? 'pending or retrying' : s}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Destination</span>
          <select
            name="destinationId"
            value={filters.destinationId ?? ''}
            onChange={(e) => setFilter({ destinationId: e.target.value })}
          >
            <option value="">any</option>
            {(destinations.data ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {destinationLabel(d)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Event id</span>
          <input
            key={filters.eventId ?? ''}
            name="eventId"
            placeholder="0193…"
            defaultValue={filters.eventId ?? ''}
            onBlur={(e) => setFilter({ eventId: e.target.value.trim() })}
            onKeyDown={(e) =>
              e.key === 'Enter' && setFilter({ eventId: e.currentTarget.value.trim() })
            }
          />
        </label>
        <TimeFilter
          label="Since"
          value={filters.since}
          onChange={(since) => setFilter({ since })}
        />
        <TimeFilter
          label="Until"
          value={filters.until}
          onChange={(until) => setFilter({ until })}
        />
        {filtered ? (
          <Button variant="quiet" onClick={() => navigate('/deliveries', { replace: true })}>
            Clear filters
          </Button>
        ) : null}
      </div>
      <ErrorNote error={paged.error} />
      <Card>
        {paged.data && rows.length === 0 ? (
          filtered ? (
            <Empty title="No deliveries match these filters" />
          ) : (
            <Empty title="No deliveries yet">
              <p>A delivery is made for each destination subscribed to an event. Publish one:</p>
              <Code>{publishCurl()}</Code>
            </Empty>
          )
        ) : (
          <DeliveriesTable deliveries={rows} destinations={byId} />
        )}
        <Pager paged={paged} />
      </Card>
    </>
  )
}

export function TimeFilter(props: {
  label: string
  value: string | undefined
  onChange: (iso: string | undefined) => void
}) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="datetime-local"
        name={props.label.toLowerCase()}
        value={isoToLocalInput(props.value)}
        onChange={(e) => props.onChange(localInputToIso(e.target.value))}
      />
    </label>
  )
}

export function publishCurl(): string {
  return [
    `curl -X POST ${window.location.origin}/v1/events \\`,
    `  -H "Authorization: Bearer $SWITCHYARD_API_KEY" -H 'content-type: application/json' \\`,
    `  -d '{"type": "webhook.test", "data": {}}'`,
  ].join('\n')
}
