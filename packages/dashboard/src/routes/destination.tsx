import { DeliveriesTable } from '../components/deliveries-table.tsx'
import { DestinationActions, RecoverCard } from '../components/destination-actions.tsx'
import { HeaderTable } from '../components/attempt.tsx'
import { DestinationStatus, Pager } from '../components/status.tsx'
import { TemplateCard } from '../components/template-view.tsx'
import { Card, Empty, ErrorNote, Facts, PageHead, Time } from '../components/ui.tsx'
import { brokerSummary } from '../destination-form-model.ts'
import { destinationLabel, duration } from '../format.ts'
import { useLoad, usePaged } from '../hooks.ts'
import { Link, withQuery } from '../router.tsx'
import { useSession } from '../session-context.ts'
import { EventList } from './destinations.tsx'

/** One destination: its configuration, its actions and its latest deliveries. */
export function DestinationPage({ id }: { id: string }) {
  const { api } = useSession()
  const destination = useLoad(() => api.destinations.get(id), `destination:${id}`, {
    pollMs: 10_000,
  })
  const deliveries = usePaged(
    (cursor) => api.deliveries.list({ destinationId: id, limit: 20, cursor }),
    id,
    {
      pollMs: 5000,
    },
  )
  const d = destination.data
  if (!d)
    return destination.error ? (
      <ErrorNote error={destination.error} />
    ) : (
      <p className="muted">Loading…</p>
    )
  return (
    <>
      <PageHead
        title={
          <>
            {destinationLabel(d)} <DestinationStatus destination={d} />
          </>
        }
        sub={
          <span className="mono">
            {d.url ?? brokerSummary(d) ?? `email: ${(d.to ?? []).join(', ')}`}
          </span>
        }
      />
      {d.managed ? (
        <div className="note note-info">
          This is the project's sync webhook; change its URL on the{' '}
          <Link to="/webhook">Sync webhook</Link> page.
        </div>
      ) : null}
      {d.status === 'paused' ? (
        <div className="banner banner-warn">
          <div>
            <strong>Paused</strong> <Time at={d.disabledAt} />: {d.disabledReason}. Its deliveries
            are held; a probe checks it <Time at={d.nextProbeAt} /> and the first 2xx resumes it.
          </div>
        </div>
      ) : !d.enabled ? (
        <div className="banner banner-bad">
          <div>
            <strong>Disabled</strong> <Time at={d.disabledAt} />:{' '}
            {d.disabledReason ?? 'no reason given'}. Its deliveries are held until it is enabled.
          </div>
        </div>
      ) : null}
      <DestinationActions destination={d} onChange={destination.reload} />
      <div className="grid-2">
        <Card title="Configuration">
          <Facts
            rows={[
              ['Events', <EventList key="e" events={d.events} />],
              [
                'Wire format',
                <span key="f" className="tag">
                  {d.format}
                </span>,
              ],
              ['Timeout', duration(d.timeoutMs)],
              [
                'Concurrency',
                d.currentConcurrency !== undefined && d.currentConcurrency !== d.maxConcurrency
                  ? `${d.currentConcurrency} now (adaptive), max ${d.maxConcurrency}`
                  : (d.maxConcurrency ?? null),
              ],
              ['Rate limit', d.rateLimitPerSecond ? `${d.rateLimitPerSecond}/s` : 'none'],
              ['Created', <Time key="c" at={d.createdAt} />],
              [
                'Id',
                <span key="i" className="mono small">
                  {d.id}
                </span>,
              ],
            ]}
          />
          <HeaderTable title="Custom headers" headers={d.headers} />
        </Card>
        <Card title="Health">
          <Facts
            rows={[
              ['Status', <DestinationStatus key="s" destination={d} />],
              ['Failed in a row', d.consecutiveFailures ?? 0],
              [
                'Failing since',
                d.failingSince ? <Time key="fs" at={d.failingSince} /> : 'not failing',
              ],
            ]}
          />
        </Card>
      </div>
      {d.type === 'webhook' ? <TemplateCard destination={d} /> : null}
      <Card
        title="Latest deliveries"
        actions={
          <Link to={withQuery('/deliveries', { destinationId: id })}>Filter in Deliveries</Link>
        }
      >
        <ErrorNote error={deliveries.error} />
        {deliveries.data && deliveries.data.data.length === 0 ? (
          <Empty title="Nothing delivered here yet">
            <p className="muted">
              Deliveries appear as events of the types it subscribes to arrive.
            </p>
          </Empty>
        ) : (
          <DeliveriesTable deliveries={deliveries.data?.data ?? []} />
        )}
        <Pager paged={deliveries} />
      </Card>
      <RecoverCard destination={d} />
    </>
  )
}
