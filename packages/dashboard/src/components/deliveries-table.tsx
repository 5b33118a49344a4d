import type { Delivery, Destination } from '../api-types.ts'
import { destinationLabel, shortId } from '../format.ts'
import { Link, navigate } from '../router.tsx'
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
    <div className="table-wrap">
      <table className="table" data-testid="deliveries-table">
        <thead>
          <tr>
            <th>Created</th>
            <th>Event</th>
            {destinations ? <th>Destination</th> : null}
            <th>Status</th>
            <th className="num">Attempts</th>
            <th>Last result</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => {
            const destination = destinations?.get(d.destinationId)
            return (
              <tr key={d.id} className="clickable" onClick={() => navigate(`/deliveries/${d.id}`)}>
                <td>
                  <Link
                    to={`/deliveries/${d.id}`}
                    onClick={(e) => e.stopPropagation()}
                    title={d.id}
                  >
                    <Time at={d.createdAt} />
                  </Link>
                </td>
                <td>
                  <span className="mono">{d.eventType}</span>
                  <div className="muted small mono" title={d.eventId}>
                    {shortId(d.eventId)}
                  </div>
                </td>
                {destinations ? (
                  <td>{destination ? destinationLabel(destination) : shortId(d.destinationId)}</td>
                ) : null}
                <td>
                  <DeliveryStatus delivery={d} />
                  {d.status === 'pending' && d.nextAttemptAt ? (
                    <div className="muted small">
                      next <Time at={d.nextAttemptAt} />
                    </div>
                  ) : null}
                </td>
                <td className="num">{d.attemptCount}</td>
                <td className="small">
                  {d.lastStatus ? <span className="mono">HTTP {d.lastStatus}</span> : null}
                  {d.lastError && d.lastError !== `HTTP ${d.lastStatus}` ? (
                    <div className="muted truncate" title={d.lastError}>
                      {d.lastError}
                    </div>
                  ) : null}
                  {!d.lastStatus && !d.lastError ? <span className="muted">–</span> : null}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
