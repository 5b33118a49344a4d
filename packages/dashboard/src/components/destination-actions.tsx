import { useState } from 'react'
import type { Destination, TestResult } from '../api-types.ts'
import { isoToLocalInput, localInputToIso } from '../format.ts'
import { useAction } from '../hooks.ts'
import { navigate } from '../router.tsx'
import { useSession } from '../session-context.ts'
import { AttemptView } from './attempt.tsx'
import { ConfirmButton } from './confirm.tsx'
import { AdminButton, Card, Code, ErrorNote } from './ui.tsx'

/** Test, enable or disable, rotate the secret, delete: the admin's buttons for a destination. */
export function DestinationActions({
  destination,
  onChange,
}: {
  destination: Destination
  onChange: () => void
}) {
  const { api } = useSession()
  const [test, setTest] = useState<TestResult | null>(null)
  const [secret, setSecret] = useState<{
    secret: string
    previousSecretExpiresAt: string | null
  } | null>(null)
  const id = destination.id
  const sendTest = useAction(async () =>
    setTest(await api.destinations.action<TestResult>(id, 'test')),
  )
  const toggle = useAction(async (reason: string) => {
    if (destination.enabled)
      await api.destinations.action(id, 'disable', reason.trim() ? { reason: reason.trim() } : {})
    else await api.destinations.action(id, 'enable')
    onChange()
  })
  const rotate = useAction(async () =>
    setSecret(await api.destinations.action(id, 'rotate-secret', {})),
  )
  const remove = useAction(async () => {
    await api.destinations.delete(id)
    navigate('/destinations')
  })
  const error = sendTest.error ?? toggle.error ?? rotate.error ?? remove.error
  return (
    <>
      <div className="actions wrap">
        <AdminButton variant="primary" busy={sendTest.busy} onClick={() => void sendTest.run()}>
          Send test
        </AdminButton>
        {destination.enabled ? (
          <ConfirmButton
            label="Disable"
            busy={toggle.busy}
            title="Disable this destination?"
            message="Its deliveries are held, not dropped, and go out when it is enabled again."
            input={{
              label: 'Reason (shown on the overview)',
              initial: 'disabled from the dashboard',
            }}
            confirmLabel="Disable"
            onConfirm={(reason) => void toggle.run(reason)}
          />
        ) : (
          <AdminButton busy={toggle.busy} onClick={() => void toggle.run('')}>
            Enable
          </AdminButton>
        )}
        {!destination.managed ? (
          <AdminButton onClick={() => navigate(`/destinations/${id}/edit`)}>Edit</AdminButton>
        ) : null}
        <ConfirmButton
          label="Rotate secret"
          busy={rotate.busy}
          title="Rotate the signing secret?"
          message="A new secret signs from now on; the old one keeps signing alongside it for 24 hours, so receivers can switch over."
          confirmLabel="Rotate"
          onConfirm={() => void rotate.run()}
        />
        {!destination.managed ? (
          <ConfirmButton
            label="Delete"
            variant="danger"
            busy={remove.busy}
            title="Delete this destination?"
            message="Its deliveries and their logs go with it. This cannot be undone."
            confirmLabel="Delete"
            onConfirm={() => void remove.run()}
          />
        ) : null}
      </div>
      <ErrorNote error={error} />
      {secret ? (
        <div className="note note-info" data-testid="new-secret">
          <strong>New signing secret</strong> (shown once; verify webhooks with it):
          <Code>{secret.secret}</Code>
          {secret.previousSecretExpiresAt
            ? `The previous secret also signs until ${new Date(secret.previousSecretExpiresAt).toLocaleString()}.`
            : null}
        </div>
      ) : null}
      {test ? <AttemptView attempt={test} title="Test (webhook.test)" /> : null}
    </>
  )
}

/** Sends again the failed deliveries created since a time. */
export function RecoverCard({ destination }: { destination: Destination }) {
  const { api } = useSession()
  const [since, setSince] = useState(() =>
    isoToLocalInput(new Date(Date.now() - 86_400_000).toISOString()),
  )
  const [requeued, setRequeued] = useState<number | null>(null)
  const recover = useAction(async () => {
    const iso = localInputToIso(since)
    if (!iso) throw new Error('Pick the time to recover from.')
    const result = await api.destinations.action<{ requeued: number }>(destination.id, 'recover', {
      since: iso,
    })
    setRequeued(result.requeued)
  })
  return (
    <Card title="Recover failed deliveries">
      <p className="muted">
        Sends again every delivery to this destination that failed for good since a time — after
        fixing the receiver, for instance.
        {!destination.enabled ? ' The destination is disabled: they wait until it is enabled.' : ''}
      </p>
      <div className="inline-form">
        <label className="field">
          <span>Failed since</span>
          <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <AdminButton busy={recover.busy} onClick={() => void recover.run()}>
          Recover
        </AdminButton>
      </div>
      <ErrorNote error={recover.error} />
      {requeued !== null ? (
        <p className="note note-info">
          {requeued === 0
            ? 'No failed deliveries in that time.'
            : `${requeued} deliveries queued again.`}
        </p>
      ) : null}
    </Card>
  )
}
