import type { Subscription } from '../api-types.ts'
import { useAction, usePaged } from '../hooks.ts'
import { useSession } from '../session-context.ts'
import { Pager } from './status.tsx'
import { AdminButton, Empty, ErrorNote, Pill, Time } from './ui.tsx'

/**
 * An API-setup trigger's webhooks at the provider: active or failed (with the provider's status
 * and body excerpt), each retried on demand.
 */
export function SubscriptionsPanel({ triggerId, level }: { triggerId: string; level: string }) {
  const { api } = useSession()
  const subs = usePaged(
    (cursor) => api.triggers.subscriptions(triggerId, { limit: 20, cursor }),
    `subscriptions:${triggerId}`,
  )
  const retry = useAction(async (credentialId: string | null) => {
    try {
      await api.triggers.subscribe(triggerId, credentialId)
    } finally {
      subs.reload()
    }
  })
  const rows = subs.data?.data ?? []
  const hasApp = rows.some((s) => s.credentialId === null)
  return (
    <>
      <ErrorNote error={subs.error} />
      <ErrorNote error={retry.error} title="Subscribe" />
      {rows.length === 0 ? (
        <Empty title="Not registered at the provider yet" />
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="subscriptions-table">
            <thead>
              <tr>
                <th>For</th>
                <th>Status</th>
                <th>Provider answer</th>
                <th>Updated</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <SubscriptionRow
                  key={s.credentialId ?? ''}
                  sub={s}
                  busy={retry.busy}
                  onRetry={() => void retry.run(s.credentialId)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {level === 'app' && !hasApp ? (
        <AdminButton busy={retry.busy} onClick={() => void retry.run(null)}>
          Subscribe the app
        </AdminButton>
      ) : null}
      <Pager paged={subs} />
    </>
  )
}

function SubscriptionRow(props: { sub: Subscription; busy: boolean; onRetry: () => void }) {
  const { sub } = props
  const failed = sub.status === 'failed'
  return (
    <tr>
      <td className="mono">{sub.credentialId ?? 'the app (developer tokens)'}</td>
      <td>
        <Pill tone={failed ? 'bad' : 'good'}>{sub.status}</Pill>
      </td>
      <td className="mono small" title={sub.error ?? undefined}>
        {sub.responseStatus ?? (failed ? 'not reached' : '')}{' '}
        {failed && sub.error ? sub.error.slice(0, 120) : ''}
      </td>
      <td>
        <Time at={sub.updatedAt} />
      </td>
      <td>
        {failed ? (
          <AdminButton busy={props.busy} onClick={props.onRetry}>
            Retry
          </AdminButton>
        ) : null}
      </td>
    </tr>
  )
}
