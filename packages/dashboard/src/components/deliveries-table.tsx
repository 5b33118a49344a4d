import type { Delivery, Destination } from '../api-types.ts'
import { destinationLabel, shortId } from '../format.ts'
import { LinkTable, RowLink } from './link-table.tsx'
import { DeliveryStatus } from './status.tsx'
import { Time } from './ui.tsx'

/** Deliveries as rows; a row opens the delivery. */
export function DeliveriesTable(props: {
  deliveries: Delivery[]
  /** Names destinations; the column is left out when absent. */
  destinations?: Map<string, Destination>
}) {
  const { deliveries, destinations } = props
  return (
    <LinkTable
      testId="deliveries-table"
      rows={deliveries}
      hrefOf={(d) => `/deliveries/${d.id}`}
      columns={[
        {
          header: 'Created',
          cell: (d) => (
            <RowLink to={`/deliveries/${d.id}`} title={d.id}>
              <Time at={d.createdAt} />
            </RowLink>
          ),
        },
        {
          header: 'Event',
          cell: (d) => (
            <>
              <span className="mono">{d.eventType}</span>
              <div className="muted small mono" title={d.eventId}>
                {shortId(d.eventId)}
              </div>
            </>
          ),
        },
        destinations
          ? {
              header: 'Destination',
              cell: (d) => {
                const destination = destinations.get(d.destinationId)
                return destination ? destinationLabel(destination) : shortId(d.destinationId)
              },
            }
          : null,
        {
          header: 'Status',
          cell: (d) => (
            <>
              <DeliveryStatus delivery={d} />
              {d.status === 'pending' && d.nextAttemptAt ? (
                <div className="muted small">
                  next <Time at={d.nextAttemptAt} />
                </div>
              ) : null}
            </>
          ),
        },
        { header: 'Attempts', className: 'num', cell: (d) => d.attemptCount },
        { header: 'Last result', cellClassName: 'small', cell: lastResult },
      ]}
    />
  )
}

function lastResult(d: Delivery) {
  return (
    <>
      {d.lastStatus ? <span className="mono">HTTP {d.lastStatus}</span> : null}
      {d.lastError && d.lastError !== `HTTP ${d.lastStatus}` ? (
        <div className="muted truncate" title={d.lastError}>
          {d.lastError}
        </div>
      ) : null}
      {!d.lastStatus && !d.lastError ? <span className="muted">–</span> : null}
    </>
  )
}
