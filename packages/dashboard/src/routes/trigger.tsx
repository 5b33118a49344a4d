import { useState } from 'react'
import { inboundOutcomes, type InboundOutcome } from '../api-types.ts'
import { ConfirmButton } from '../components/confirm.tsx'
import { InboundRequestView } from '../components/inbound-request.tsx'
import { ListenPanel } from '../components/listen.tsx'
import { Pager } from '../components/status.tsx'
import { SubscriptionsPanel } from '../components/subscriptions.tsx'
import {
  AdminButton,
  Card,
  Code,
  Empty,
  ErrorNote,
  Facts,
  Json,
  PageHead,
  Time,
} from '../components/ui.tsx'
import { useAction, useLoad, usePaged } from '../hooks.ts'
import { navigate } from '../router.tsx'
import { useSession } from '../session-context.ts'

/** One trigger: its URL, its definition, a live view of what arrives, and its request log. */
export function TriggerPage({ id }: { id: string }) {
  const { api } = useSession()
  const trigger = useLoad(() => api.triggers.get(id), `trigger:${id}`)
  const [outcome, setOutcome] = useState<InboundOutcome | ''>('')
  const requests = usePaged(
    (cursor) =>
      api.triggers.requests({ triggerId: id, outcome: outcome || undefined, limit: 10, cursor }),
    `${id}|${outcome}`,
    {
      pollMs: 10_000,
    },
  )
  const replay = useAction(async (requestId: string) => {
    await api.triggers.replay(requestId)
    requests.reload()
  })
  const remove = useAction(async () => {
    await api.triggers.delete(id)
    navigate('/triggers')
  })
  const t = trigger.data
  if (!t)
    return trigger.error ? <ErrorNote error={trigger.error} /> : <p className="muted">Loading…</p>
  return (
    <>
      <PageHead
        title={t.name}
        sub={`${t.integration} · ${t.level}-level trigger`}
        actions={
          <>
            <AdminButton onClick={() => navigate(`/triggers/${id}/edit`)}>Edit</AdminButton>
            <ConfirmButton
              label="Delete"
              variant="danger"
              busy={remove.busy}
              title="Delete this trigger?"
              message="Its URL stops answering and its request log is deleted."
              confirmLabel="Delete"
              onConfirm={() => void remove.run()}
            />
          </>
        }
      />
      <ErrorNote error={remove.error} />
      <Card title="URL">
        <Code>{t.url}</Code>
      </Card>
      {t.setup?.mode === 'api' ? (
        <Card title="Subscriptions at the provider">
          <SubscriptionsPanel triggerId={id} level={t.level} />
        </Card>
      ) : null}
      <Card title="Listen for events">
        <ListenPanel trigger={t} onRequest={requests.reload} />
      </Card>
      <div className="grid-2">
        <Card title="Definition">
          <Facts
            rows={[
              ['Setup', t.setup?.mode ?? 'manual'],
              ['Response', describeResponse(t.response)],
              ['Routing', t.routing ? `${t.routing.from} ${t.routing.path}` : 'none'],
              [
                'Verification',
                t.verification ? String(t.verification.preset ?? 'custom code') : 'none',
              ],
              ['Created', <Time key="c" at={t.createdAt} />],
            ]}
          />
        </Card>
        <Card title="As the API has it">
          <Json value={t} label="Trigger" />
        </Card>
      </div>
      <Card title="Recent requests">
        <div className="filters" role="search">
          <label className="field">
            <span>Outcome</span>
            <select
              name="outcome"
              value={outcome}
              onChange={(e) => setOutcome(e.target.value as InboundOutcome | '')}
            >
              <option value="">any</option>
              {inboundOutcomes.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorNote error={requests.error} />
        <ErrorNote error={replay.error} title="Replay" />
        {requests.data && requests.data.data.length === 0 ? (
          <Empty title={outcome ? `No ${outcome} requests` : 'Nothing received yet'} />
        ) : (
          <div className="attempts">
            {(requests.data?.data ?? []).map((r) => (
              <InboundRequestView
                key={r.id}
                request={r}
                onReplay={(requestId) => void replay.run(requestId)}
                replaying={replay.busy}
              />
            ))}
          </div>
        )}
        <Pager paged={requests} />
      </Card>
    </>
  )
}

function describeResponse(response: unknown): string {
  if (!response) return '200 OK'
  if (typeof response === 'string') return `${response} handshake`
  const r = response as { preset?: string; code?: string; status?: number }
  if (r.preset) return `${r.preset} handshake`
  if (r.code) return 'custom code'
  return `fixed ${r.status ?? 200}`
}
