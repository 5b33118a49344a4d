import { useEffect, useState, type FormEvent } from 'react'
import { DeliveriesTable } from '../components/deliveries-table.tsx'
import { ConfirmButton } from '../components/confirm.tsx'
import { DestinationStatus, Pager } from '../components/status.tsx'
import { AdminButton, Card, Code, Empty, ErrorNote, PageHead } from '../components/ui.tsx'
import { useAction, useLoad, usePaged } from '../hooks.ts'
import { Link } from '../router.tsx'
import { useSession } from '../session-context.ts'

const syncEvents = [
  'sync.completed',
  'sync.errored',
  'record.created',
  'record.updated',
  'record.deleted',
  'record.errored',
]

/** Settings › Webhook URL: where the sync and record events go, and how the last ones went. */
export function SyncWebhookPage() {
  const { api } = useSession()
  const settings = useLoad(() => api.settings.get(), 'settings')
  const destinationId = settings.data?.webhookDestinationId ?? null
  const [url, setUrl] = useState('')
  useEffect(() => setUrl(settings.data?.webhookUrl ?? ''), [settings.data])
  const save = useAction(async (webhookUrl: string | null) => {
    await api.settings.put({ webhookUrl })
    settings.reload()
  })
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void save.run(url.trim())
  }
  return (
    <>
      <PageHead
        title="Sync webhook"
        sub="The project's webhook URL: every sync and record event, in the managed-sync format, signed."
      />
      <ErrorNote error={settings.error} />
      <Card title="Webhook URL">
        <form className="inline-form" onSubmit={submit}>
          <label className="field grow">
            <span>URL</span>
            <input
              name="webhookUrl"
              type="url"
              required
              placeholder="https://example.com/webhooks/sync"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
          </label>
          <AdminButton type="submit" variant="primary" busy={save.busy} disabled={!url.trim()}>
            Save
          </AdminButton>
          {settings.data?.webhookUrl ? (
            <ConfirmButton
              label="Remove"
              variant="danger"
              title="Remove the webhook URL?"
              message="Sync and record events stop going out; the webhook's delivery log is deleted with it."
              confirmLabel="Remove"
              onConfirm={() => void save.run(null)}
            />
          ) : null}
        </form>
        <ErrorNote error={save.error} />
        <p className="muted small">
          Sends:{' '}
          {syncEvents.map((e) => (
            <code key={e}>{e} </code>
          ))}
          {destinationId ? (
            <>
              {' '}
              · signing secret, tests and recovery on{' '}
              <Link to={`/destinations/${destinationId}`}>its destination page</Link>
            </>
          ) : null}
        </p>
      </Card>
      {destinationId ? (
        <LastDeliveries destinationId={destinationId} />
      ) : settings.data ? (
        <Card>
          <Empty title="No webhook URL yet">
            <p>Set one above, or with the API:</p>
            <Code>
              {[
                `curl -X PUT ${window.location.origin}/v1/settings \\`,
                `  -H "Authorization: Bearer $SWITCHYARD_API_KEY" -H 'content-type: application/json' \\`,
                `  -d '{"webhookUrl": "https://example.com/webhooks/sync"}'`,
              ].join('\n')}
            </Code>
          </Empty>
        </Card>
      ) : null}
    </>
  )
}

function LastDeliveries({ destinationId }: { destinationId: string }) {
  const { api } = useSession()
  const destination = useLoad(
    () => api.destinations.get(destinationId),
    `destination:${destinationId}`,
    {
      pollMs: 10_000,
    },
  )
  const paged = usePaged(
    (cursor) => api.deliveries.list({ destinationId, limit: 20, cursor }),
    destinationId,
    {
      pollMs: 5000,
    },
  )
  return (
    <Card
      title={
        <>
          Last deliveries{' '}
          {destination.data ? <DestinationStatus destination={destination.data} /> : null}
        </>
      }
    >
      <ErrorNote error={paged.error} />
      {paged.data && paged.data.data.length === 0 ? (
        <Empty title="Nothing sent yet">
          <p className="muted">Deliveries appear when a sync reports a run or a record changes.</p>
        </Empty>
      ) : (
        <DeliveriesTable deliveries={paged.data?.data ?? []} />
      )}
      <Pager paged={paged} />
    </Card>
  )
}
