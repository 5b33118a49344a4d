import type { Attempt, DeliveryDetail, Destination } from '../api-types.ts'
import { AttemptView, HeaderTable } from '../components/attempt.tsx'
import { DeliveryStatus } from '../components/status.tsx'
import {
  AdminButton,
  Card,
  Empty,
  ErrorNote,
  Facts,
  Json,
  PageHead,
  Time,
} from '../components/ui.tsx'
import { destinationLabel } from '../format.ts'
import { useAction, useLoad } from '../hooks.ts'
import { Link } from '../router.tsx'
import { useSession } from '../session-context.ts'

/** One delivery: its event, the request it sends, every attempt, and Retry now. */
export function DeliveryPage({ id }: { id: string }) {
  const { api } = useSession()
  const delivery = useLoad(() => api.deliveries.get(id), `delivery:${id}`, { pollMs: 3000 })
  const d = delivery.data
  const destination = useLoad(
    () => (d ? api.destinations.get(d.destinationId) : Promise.resolve(null)),
    `destination:${d?.destinationId ?? ''}`,
  )
  const event = useLoad(
    () => (d ? api.events.get(d.eventId) : Promise.resolve(null)),
    `event:${d?.eventId ?? ''}`,
  )
  const retry = useAction(async () => {
    await api.deliveries.retry(id)
    delivery.reload()
    // The new attempt usually lands within a second; show it without waiting for the next poll.
    window.setTimeout(delivery.reload, 800)
  })
  if (!d)
    return delivery.error ? <ErrorNote error={delivery.error} /> : <p className="muted">Loading…</p>
  const attempts = [...d.attempts].sort((a, b) => (a.number ?? 0) - (b.number ?? 0))
  const dest = destination.data ?? null
  return (
    <>
      <PageHead
        title={
          <>
            <span className="mono">{d.eventType}</span> <DeliveryStatus delivery={d} />
          </>
        }
        sub={
          <>
            to{' '}
            <Link to={`/destinations/${d.destinationId}`}>
              {dest ? destinationLabel(dest) : d.destinationId}
            </Link>
          </>
        }
        actions={
          <AdminButton variant="primary" busy={retry.busy} onClick={() => void retry.run()}>
            Retry now
          </AdminButton>
        }
      />
      <ErrorNote error={retry.error} />
      <div className="grid-2">
        <Card title="Delivery">
          <Facts
            rows={[
              [
                'Delivery id',
                <span key="i" className="mono small" title="Sent as webhook-id on every attempt">
                  {d.id}
                </span>,
              ],
              [
                'Event',
                <Link key="e" to={`/events/${d.eventId}`} className="mono small">
                  {d.eventId}
                </Link>,
              ],
              ['Created', <Time key="c" at={d.createdAt} />],
              ['Attempts', d.attemptCount],
              [
                'Next attempt',
                d.status === 'pending' ? <Time key="n" at={d.nextAttemptAt} /> : null,
              ],
              ['Completed', d.completedAt ? <Time key="d" at={d.completedAt} /> : null],
            ]}
          />
        </Card>
        <RequestCard delivery={d} destination={dest} latest={attempts.at(-1)} />
      </div>
      <Card title={`Attempts (${attempts.length})`}>
        {attempts.length === 0 ? (
          <Empty title="Not tried yet">
            <p className="muted">
              {d.status === 'held'
                ? 'The destination is disabled: this delivery waits until it is enabled.'
                : 'The dispatcher sends it when it is due.'}
            </p>
          </Empty>
        ) : (
          <div className="attempts">
            {attempts.map((a) => (
              <AttemptView key={a.id ?? a.number} attempt={a} />
            ))}
          </div>
        )}
      </Card>
      <Card title="Event">
        <ErrorNote error={event.error} />
        {event.data ? <Json value={event.data} label="Event" /> : null}
      </Card>
    </>
  )
}

/**
 * What goes over the wire: POST to the URL the latest attempt went to (the destination's own
 * may have changed since), its headers, the body.
 */
function RequestCard(props: {
  delivery: DeliveryDetail
  destination: Destination | null
  latest: Attempt | undefined
}) {
  const { destination, latest } = props
  const sentTo = latest?.url ?? null
  const current = destination?.url ?? null
  return (
    <Card title="Request sent">
      <p className="mono request-line" data-testid="request-url">
        <strong>POST</strong> {sentTo ?? current ?? '…'}
      </p>
      {sentTo && current && sentTo !== current ? (
        <p className="muted small">The destination sends to {current} now.</p>
      ) : latest && !sentTo && current ? (
        <p className="muted small">
          The destination&apos;s URL now: this attempt was logged before attempts recorded theirs.
        </p>
      ) : null}
      {latest ? (
        <HeaderTable
          title="Headers (latest attempt; credentials redacted)"
          headers={latest.requestHeaders}
        />
      ) : (
        <p className="muted">Headers are logged with the first attempt.</p>
      )}
      <div className="label">Body</div>
      {latest?.requestBody ? (
        <Json value={latest.requestBody} label="Request body" />
      ) : (
        <p className="muted small">
          The event below, rendered in the <span className="tag">{destination?.format ?? '…'}</span>{' '}
          wire format; the same bytes go on every attempt.{' '}
          <Link to={`/events/${props.delivery.eventId}`}>See it per format</Link>.
        </p>
      )}
    </Card>
  )
}
