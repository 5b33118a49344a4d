import type { StatsOut, StatsWindowOut } from '@switchyard/sdk'
import type { Destination } from '../api-types.ts'
import { DeliveriesChart } from '../components/chart.tsx'
import { DestinationStatus } from '../components/status.tsx'
import { AdminButton, Card, Empty, ErrorNote, PageHead, Time } from '../components/ui.tsx'
import { destinationLabel, duration, percent } from '../format.ts'
import { useAction, useLoad, useTick } from '../hooks.ts'
import { Link } from '../router.tsx'
import { useSession } from '../session-context.ts'
import { deliveriesSince, perMinute } from '../stats.ts'

const hourMs = 3_600_000
const livePollMs = 4000
// The chart's hour of deliveries is read page by page, up to a cap.
const maxChartDeliveries = 5000

/** A destination with no deliveries in the last day: no row in `GET /v1/stats`. */
const noLatency = { count: 0, p50: null, p95: null }
const emptyWindow: StatsWindowOut = {
  deliveries: { total: 0, succeeded: 0, failed: 0, retrying: 0, pending: 0, held: 0, coalesced: 0 },
  successRate: null,
  attemptMs: noLatency,
  firstSuccessMs: noLatency,
}

/** "p50 / p95" of a latency, or "–" when nothing was measured. */
function p50p95(latency: StatsWindowOut['attemptMs']): string {
  if (latency.count === 0) return '–'
  return `${duration(latency.p50)} / ${duration(latency.p95)}`
}

/** Health at a glance: disabled destinations first, the last hour live, the last day beside it. */
export function OverviewPage() {
  const { api } = useSession()
  const destinations = useLoad(() => api.destinations.all(), 'destinations', { pollMs: livePollMs })
  // Tiles and the destinations table: the server's figures (GET /v1/stats).
  const stats = useLoad(() => api.deliveries.stats(), 'stats', { pollMs: livePollMs })
  // The per-minute chart still needs the hour's deliveries: the stats route has no series.
  const hour = useLoad(
    () => deliveriesSince(api, new Date(Date.now() - hourMs), maxChartDeliveries),
    'hour',
    { pollMs: livePollMs },
  )
  const now = useTick(livePollMs)
  const list = destinations.data ?? []
  const disabled = list.filter((d) => !d.enabled)
  const hourStats = stats.data?.windows['1h'] ?? emptyWindow
  const dayStats = stats.data?.windows['24h'] ?? emptyWindow
  const byDestination = new Map<string, StatsOut['destinations'][number]['windows']>(
    (stats.data?.destinations ?? []).map((d) => [d.destinationId, d.windows]),
  )
  const updated = stats.loadedAt ? Math.max(0, Math.round((now - stats.loadedAt) / 1000)) : null

  return (
    <>
      <PageHead
        title="Overview"
        sub="How deliveries are going, per destination."
        actions={
          <span className="live" title={`Refreshes every ${livePollMs / 1000} s`}>
            <i className="live-dot" /> Live{updated !== null ? ` · updated ${updated} s ago` : ''}
          </span>
        }
      />
      <ErrorNote error={destinations.error ?? stats.error ?? hour.error} />
      {disabled.map((d) => (
        <DisabledBanner key={d.id} destination={d} onEnabled={destinations.reload} />
      ))}
      <div className="tiles" data-testid="stats-tiles">
        <Tile
          label="Deliveries"
          hour={String(hourStats.deliveries.total)}
          day={String(dayStats.deliveries.total)}
        />
        <Tile
          label="Success rate"
          hour={percent(hourStats.successRate)}
          day={percent(dayStats.successRate)}
          tone={rateTone(hourStats.successRate)}
        />
        <Tile
          label="Attempt latency p50 / p95"
          hour={p50p95(hourStats.attemptMs)}
          day={p50p95(dayStats.attemptMs)}
          help="Each attempt's own duration: connect, send, the receiver's answer. Retries count."
        />
        <Tile
          label="First success p50 / p95"
          hour={p50p95(hourStats.firstSuccessMs)}
          day={p50p95(dayStats.firstSuccessMs)}
          help="From the event accepted to its first successful attempt's end; a replay after that does not count."
        />
        <Tile
          label="Backlog"
          hour={String(stats.data?.backlog.pending ?? 0)}
          day={`${stats.data?.backlog.due ?? 0} due now, ${stats.data?.backlog.held ?? 0} held`}
          sub="pending"
        />
      </div>
      <Card
        title="Deliveries per minute"
        actions={<span className="muted">last hour, by how they went</span>}
      >
        <DeliveriesChart buckets={perMinute(hour.data?.deliveries ?? [], now)} />
        {hour.data?.truncated ? (
          <p className="fine">
            Charting the latest {maxChartDeliveries} deliveries of the hour only.
          </p>
        ) : null}
      </Card>
      <Card title="Destinations" actions={<Link to="/destinations/new">New destination</Link>}>
        {destinations.data && list.length === 0 ? (
          <Empty title="No destinations yet">
            <p>
              Add where events should go: <Link to="/destinations/new">create a destination</Link>,
              or set the <Link to="/webhook">sync webhook</Link>.
            </p>
          </Empty>
        ) : (
          <DestinationHealth
            destinations={list}
            stats={(d) => {
              const windows = byDestination.get(d.id)
              return [windows?.['1h'] ?? emptyWindow, windows?.['24h'] ?? emptyWindow]
            }}
          />
        )}
      </Card>
      <p className="fine">
        Attempt latency is each attempt's own duration, retries included. First success is how long
        an event took to reach the receiver: from its delivery created to the end of its first
        successful attempt (a replay after it does not count). Success rate counts deliveries tried
        so far.
      </p>
    </>
  )
}

function rateTone(rate: number | null): 'good' | 'warn' | 'bad' | undefined {
  if (rate === null) return undefined
  return rate >= 0.99 ? 'good' : rate >= 0.9 ? 'warn' : 'bad'
}

function Tile(props: {
  label: string
  hour: string
  day: string
  tone?: 'good' | 'warn' | 'bad'
  help?: string
  /** Replaces "last hour · {day} last 24 h" with "{sub} · {day}". */
  sub?: string
}) {
  return (
    <div className={`tile ${props.tone ? `tile-${props.tone}` : ''}`} title={props.help}>
      <div className="tile-label">{props.label}</div>
      <div className="tile-value">{props.hour}</div>
      <div className="tile-sub">
        {props.sub ? `${props.sub} · ${props.day}` : `last hour · ${props.day} last 24 h`}
      </div>
    </div>
  )
}

function DisabledBanner({
  destination,
  onEnabled,
}: {
  destination: Destination
  onEnabled: () => void
}) {
  const { api } = useSession()
  const enable = useAction(async () => {
    await api.destinations.action(destination.id, 'enable')
    onEnabled()
  })
  return (
    <div className="banner banner-bad" data-testid="disabled-destination">
      <div>
        <strong>
          <Link to={`/destinations/${destination.id}`}>{destinationLabel(destination)}</Link> is
          disabled
        </strong>
        <div className="muted">
          {destination.disabledReason ?? 'No reason given'} · <Time at={destination.disabledAt} />.
          Its deliveries are held until it is enabled.
        </div>
        <ErrorNote error={enable.error} />
      </div>
      <AdminButton variant="primary" busy={enable.busy} onClick={() => void enable.run()}>
        Enable
      </AdminButton>
    </div>
  )
}

function DestinationHealth(props: {
  destinations: Destination[]
  stats: (d: Destination) => [StatsWindowOut, StatsWindowOut]
}) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th>Destination</th>
            <th>Status</th>
            <th className="num">Success 1 h</th>
            <th className="num">Success 24 h</th>
            <th className="num" title="Each attempt's own duration">
              Attempt p50 / p95 1 h
            </th>
            <th className="num" title="From the event accepted to its first successful attempt">
              First success p50 / p95 1 h
            </th>
            <th className="num">Attempt p50 / p95 24 h</th>
            <th className="num">Deliveries 24 h</th>
          </tr>
        </thead>
        <tbody>
          {props.destinations.map((d) => {
            const [hour, day] = props.stats(d)
            return (
              <tr key={d.id}>
                <td>
                  <Link to={`/destinations/${d.id}`}>{destinationLabel(d)}</Link>
                  <div className="muted small">{d.format}</div>
                </td>
                <td>
                  <DestinationStatus destination={d} />
                </td>
                <td className="num">{percent(hour.successRate)}</td>
                <td className="num">{percent(day.successRate)}</td>
                <td className="num">{p50p95(hour.attemptMs)}</td>
                <td className="num">{p50p95(hour.firstSuccessMs)}</td>
                <td className="num">{p50p95(day.attemptMs)}</td>
                <td className="num">{day.deliveries.total}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
