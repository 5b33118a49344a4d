import type { Destination } from '../api-types.ts'
import { DeliveriesChart } from '../components/chart.tsx'
import { DestinationStatus } from '../components/status.tsx'
import { AdminButton, Card, Empty, ErrorNote, PageHead, Time } from '../components/ui.tsx'
import { destinationLabel, duration, percent } from '../format.ts'
import { useAction, useLoad, useTick } from '../hooks.ts'
import { Link } from '../router.tsx'
import { useSession } from '../session-context.ts'
import { byDestination, deliveriesSince, perMinute, summarize, type WindowStats } from '../stats.ts'

const hourMs = 3_600_000
const livePollMs = 4000
// A day of deliveries is read less often and up to a cap; the hour is what moves.
const dayPollMs = 60_000
const maxPerWindow = 5000

/** Health at a glance: disabled destinations first, the last hour live, the last day beside it. */
export function OverviewPage() {
  const { api } = useSession()
  const destinations = useLoad(() => api.destinations.all(), 'destinations', { pollMs: livePollMs })
  const hour = useLoad(
    () => deliveriesSince(api, new Date(Date.now() - hourMs), maxPerWindow),
    'hour',
    {
      pollMs: livePollMs,
    },
  )
  const day = useLoad(
    () => deliveriesSince(api, new Date(Date.now() - 24 * hourMs), maxPerWindow),
    'day',
    {
      pollMs: dayPollMs,
    },
  )
  const now = useTick(livePollMs)
  const list = destinations.data ?? []
  const disabled = list.filter((d) => !d.enabled)
  const hourStats = summarize(hour.data?.deliveries ?? [])
  const dayStats = summarize(day.data?.deliveries ?? [])
  const hourBy = byDestination(hour.data?.deliveries ?? [])
  const dayBy = byDestination(day.data?.deliveries ?? [])
  const updated = hour.loadedAt ? Math.max(0, Math.round((now - hour.loadedAt) / 1000)) : null

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
      <ErrorNote error={destinations.error ?? hour.error ?? day.error} />
      {disabled.map((d) => (
        <DisabledBanner key={d.id} destination={d} onEnabled={destinations.reload} />
      ))}
      <div className="tiles">
        <Tile label="Deliveries" hour={String(hourStats.total)} day={String(dayStats.total)} />
        <Tile
          label="Success rate"
          hour={percent(hourStats.successRate)}
          day={percent(dayStats.successRate)}
          tone={rateTone(hourStats.successRate)}
        />
        <Tile label="Latency p50" hour={duration(hourStats.p50Ms)} day={duration(dayStats.p50Ms)} />
        <Tile label="Latency p95" hour={duration(hourStats.p95Ms)} day={duration(dayStats.p95Ms)} />
      </div>
      <Card
        title="Deliveries per minute"
        actions={<span className="muted">last hour, by how they went</span>}
      >
        <DeliveriesChart buckets={perMinute(hour.data?.deliveries ?? [], now)} />
        {hour.data?.truncated ? (
          <p className="fine">Counting the latest {maxPerWindow} deliveries of the hour only.</p>
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
            stats={(d) => [summarize(hourBy.get(d.id) ?? []), summarize(dayBy.get(d.id) ?? [])]}
          />
        )}
      </Card>
      <p className="fine">
        Latency is the delivering attempt's: from its start to the receiver's 2xx (a retry or a
        replay counts from its own start, not from the event). Success rate counts deliveries tried
        so far.
      </p>
    </>
  )
}

function rateTone(rate: number | null): 'good' | 'warn' | 'bad' | undefined {
  if (rate === null) return undefined
  return rate >= 0.99 ? 'good' : rate >= 0.9 ? 'warn' : 'bad'
}

function Tile(props: { label: string; hour: string; day: string; tone?: 'good' | 'warn' | 'bad' }) {
  return (
    <div className={`tile ${props.tone ? `tile-${props.tone}` : ''}`}>
      <div className="tile-label">{props.label}</div>
      <div className="tile-value">{props.hour}</div>
      <div className="tile-sub">last hour · {props.day} last 24 h</div>
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
  stats: (d: Destination) => [WindowStats, WindowStats]
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
            <th className="num">p50 / p95 1 h</th>
            <th className="num">p50 / p95 24 h</th>
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
                <td className="num">
                  {duration(hour.p50Ms)} / {duration(hour.p95Ms)}
                </td>
                <td className="num">
                  {duration(day.p50Ms)} / {duration(day.p95Ms)}
                </td>
                <td className="num">{day.total}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
