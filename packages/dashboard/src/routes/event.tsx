import { useMemo, useState } from 'react'
import { wireFormats, type WireFormat } from '../api-types.ts'
import { DeliveriesTable } from '../components/deliveries-table.tsx'
import { Pager } from '../components/status.tsx'
import { Card, Empty, ErrorNote, Facts, Json, PageHead, Time } from '../components/ui.tsx'
import { useEventTypes } from '../event-types.ts'
import { useLoad, usePaged } from '../hooks.ts'
import { useSession } from '../session-context.ts'
import { formatHelp } from './destination-form.tsx'

/** One event: its canonical data, what it is called in each wire format, and where it went. */
export function EventPage({ id }: { id: string }) {
  const { api } = useSession()
  const event = useLoad(() => api.events.get(id), `event:${id}`)
  const catalog = useEventTypes()
  const renderings = useLoad(() => api.events.renderings(id), `event-renderings:${id}`)
  const destinations = useLoad(() => api.destinations.all(), 'destinations')
  const byId = useMemo(
    () => new Map((destinations.data ?? []).map((d) => [d.id, d])),
    [destinations.data],
  )
  const deliveries = usePaged(
    (cursor) => api.deliveries.list({ eventId: id, limit: 25, cursor }),
    id,
    {
      pollMs: 5000,
    },
  )
  const [format, setFormat] = useState<WireFormat>('standard')
  const e = event.data
  if (!e) return event.error ? <ErrorNote error={event.error} /> : <p className="muted">Loading…</p>
  const description = catalog.data?.find((t) => t.type === e.type)
  const name = description?.names[format]
  const bodySchema = description?.bodySchemas?.[format]
  const rendered = renderings.data?.data.find((r) => r.format === format)
  return (
    <>
      <PageHead title={<span className="mono">{e.type}</span>} sub={description?.description} />
      <div className="grid-2">
        <Card title="Event">
          <Facts
            rows={[
              [
                'Id',
                <span key="i" className="mono small">
                  {e.id}
                </span>,
              ],
              ['Occurred', <Time key="o" at={e.occurredAt} />],
              ['Received', <Time key="r" at={e.receivedAt} />],
              ['User', e.userId ?? null],
              ['Credential', e.credentialId ?? null],
              ['Integration', e.integration ?? null],
            ]}
          />
          <div className="label">Canonical data</div>
          <Json value={e.data} label="Event data" />
        </Card>
        <Card title="In each wire format">
          <div className="tabs" role="tablist">
            {wireFormats.map((f) => (
              <button
                type="button"
                role="tab"
                key={f}
                aria-selected={format === f}
                className={`tab ${format === f ? 'tab-on' : ''}`}
                onClick={() => setFormat(f)}
              >
                {f}
              </button>
            ))}
          </div>
          <p className="muted small">{formatHelp[format]}</p>
          {name === null ? (
            <Empty title={`Not carried by ${format}`}>
              <p className="muted">Destinations in this format never receive {e.type}.</p>
            </Empty>
          ) : (
            <>
              <Facts
                rows={[
                  [
                    'Sent as',
                    <span key="n" className="mono">
                      {name ?? e.type}
                    </span>,
                  ],
                ]}
              />
              {rendered ? (
                <>
                  <div className="label">Body sent (before any template)</div>
                  <Json value={rendered.body} label={`${format} body`} />
                </>
              ) : null}
              {bodySchema ? (
                <details>
                  <summary>Body schema (the JSON Schema of what is sent)</summary>
                  <Json value={bodySchema} label={`${format} body schema`} />
                </details>
              ) : null}
            </>
          )}
        </Card>
      </div>
      <Card title="Deliveries of this event">
        <ErrorNote error={deliveries.error} />
        {deliveries.data && deliveries.data.data.length === 0 ? (
          <Empty title="No destination subscribes to this event">
            <p className="muted">
              A destination gets the event when its events and format include it.
            </p>
          </Empty>
        ) : (
          <DeliveriesTable deliveries={deliveries.data?.data ?? []} destinations={byId} />
        )}
        <Pager paged={deliveries} />
      </Card>
    </>
  )
}
