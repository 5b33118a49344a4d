import { useEffect, useState, type FormEvent } from 'react'
import { wireFormats, type Destination, type TestResult, type WireFormat } from '../api-types.ts'
import { AttemptView } from '../components/attempt.tsx'
import { EventPicker } from '../components/event-picker.tsx'
import { Radio } from '../components/form-fields.tsx'
import { HeadersEditor, redactedValue } from '../components/headers-editor.tsx'
import { PayloadEditor } from '../components/payload-editor.tsx'
import { BrokerFieldsEditor } from '../components/broker-fields.tsx'
import {
  blankForm,
  fromDestination,
  isBroker,
  typeLabel,
  templateFaults,
  toInput,
  toTestInput,
  type DestinationForm,
} from '../destination-form-model.ts'
import { AdminButton, Button, Card, Code, ErrorNote, PageHead } from '../components/ui.tsx'
import { useAction, useLoad } from '../hooks.ts'
import { Link, navigate } from '../router.tsx'
import { needsAdmin, useSession } from '../session-context.ts'

export const formatHelp: Record<WireFormat, string> = {
  standard: '{id, type, timestamp, data} with the canonical event names (record.created…).',
  'managed-sync':
    "Managed Sync's webhook body: sync_complete, record_created… with {sync, user, data}.",
  workspace:
    'Workspace events: integration_installed, integration_new_data_model… with {workspace_id, payload}.',
  monitoring:
    'Event Destinations monitoring body: workflow_failure, credentials_failure… with {type, message}.',
}

/**
 * Create a destination (webhook or email), or edit one; the preview sends a webhook.test to the
 * form as it is (`POST /v1/destinations/test`) and shows the attempt.
 */
export function DestinationFormPage({ id }: { id?: string }) {
  const { api, role } = useSession()
  const existing = useLoad(
    () => (id ? api.destinations.get(id) : Promise.resolve(null)),
    `edit:${id ?? 'new'}`,
  )
  const [form, setForm] = useState<DestinationForm>(blankForm)
  const [headersTouched, setHeadersTouched] = useState(false)
  const [test, setTest] = useState<TestResult | null>(null)
  const [created, setCreated] = useState<Destination | null>(null)
  useEffect(() => {
    if (existing.data) setForm(fromDestination(existing.data))
  }, [existing.data])
  const set = (patch: Partial<DestinationForm>) => setForm((f) => ({ ...f, ...patch }))
  const stillRedacted = form.headers.filter((h) => h.value === redactedValue).map((h) => h.name)
  const email = form.type === 'email'
  const broker = isBroker(form.type) ? form.type : null
  // Payload, custom headers and presets are a webhook's; email and brokers have none.
  const webhook = !email && broker === null
  const preset = webhook && form.payload === 'preset'

  const runTest = useAction(async () => {
    setTest(null)
    setTest(await api.destinations.testUnsaved(toTestInput(form)))
  })
  const save = useAction(async () => {
    if (webhook && headersTouched && stillRedacted.length > 0)
      throw new Error(`Type the value of ${stillRedacted.join(', ')} again, or remove the header.`)
    const input = toInput(form, { editing: Boolean(id), headersTouched })
    if (id) {
      await api.destinations.update(id, input)
      navigate(`/destinations/${id}`)
    } else setCreated(await api.destinations.create(input))
  })
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void save.run()
  }

  if (created) return <Created destination={created} />
  if (existing.error) return <ErrorNote error={existing.error} />
  const readOnly = role !== 'admin'
  const faults = templateFaults(save.error ?? runTest.error)
  const canTest = email
    ? form.to.trim() !== ''
    : broker
      ? form.broker.url.trim() !== ''
      : preset || form.url.trim() !== ''
  return (
    <>
      <PageHead
        title={id ? 'Edit destination' : 'New destination'}
        sub="A webhook (Switchyard POSTs each matching event, signed with Standard Webhooks) an email, or a message on RabbitMQ, NATS JetStream or a Redis Stream."
      />
      {readOnly ? <div className="note note-info">{needsAdmin}</div> : null}
      <form className="form" onSubmit={submit}>
        <Card title="Where">
          <div className="field">
            <span>Type</span>
            {id ? (
              <span className="muted">{typeLabel[form.type]} (fixed once created)</span>
            ) : (
              <Radio
                name="Type"
                value={form.type}
                options={[
                  ['webhook', 'Webhook', 'An HTTP POST per event, signed with Standard Webhooks.'],
                  ['email', 'Email', 'A mail per event, sent over the server’s SMTP connection.'],
                  ['rabbitmq', 'RabbitMQ', 'A persistent message per event, publisher-confirmed.'],
                  ['nats', 'NATS JetStream', 'A message per event on a subject a stream captures.'],
                  ['redis', 'Redis Stream', 'An entry per event (XADD) on an existing stream.'],
                ]}
                onChange={(type) =>
                  set(type === 'email' ? { type, format: 'monitoring' } : { type })
                }
              />
            )}
          </div>
          {broker ? (
            <BrokerFieldsEditor
              type={broker}
              value={form.broker}
              onChange={(value) => set({ broker: value })}
            />
          ) : email ? (
            <label className="field">
              <span>Recipients (comma-separated, up to 20)</span>
              <input
                name="to"
                required
                placeholder="ops@example.com, oncall@example.com"
                value={form.to}
                onChange={(e) => set({ to: e.target.value })}
              />
            </label>
          ) : preset ? null : (
            <label className="field">
              <span>URL</span>
              <input
                name="url"
                type="url"
                required
                placeholder="https://example.com/webhooks/switchyard"
                value={form.url}
                onChange={(e) => set({ url: e.target.value })}
              />
            </label>
          )}
          <label className="field">
            <span>Name (optional)</span>
            <input
              name="name"
              placeholder="Billing service"
              value={form.name}
              onChange={(e) => set({ name: e.target.value })}
            />
          </label>
        </Card>
        <Card title="What">
          <div className="field">
            <span>Wire format</span>
            <div className="choices" role="radiogroup" aria-label="Wire format">
              {wireFormats.map((format) => (
                <label key={format} className={`choice ${form.format === format ? 'chosen' : ''}`}>
                  <input
                    type="radio"
                    name="format"
                    value={format}
                    checked={form.format === format}
                    onChange={() => set({ format })}
                  />
                  <strong>{format}</strong>
                  <span className="muted small">{formatHelp[format]}</span>
                </label>
              ))}
            </div>
          </div>
          <EventPicker
            format={form.format}
            selected={form.events}
            onChange={(events) => set({ events })}
          />
        </Card>
        {!webhook ? null : (
          <Card title="Payload">
            <PayloadEditor form={form} set={set} faults={faults} />
          </Card>
        )}
        <Card title="Preview">
          <p className="muted small">
            Sends a <code>webhook.test</code> event to the form as it is, without saving, and shows
            the request sent and the answer.
          </p>
          <div className="actions">
            <AdminButton busy={runTest.busy} disabled={!canTest} onClick={() => void runTest.run()}>
              Preview with a test event
            </AdminButton>
          </div>
          <ErrorNote error={runTest.error} title="Test" />
          {test ? <AttemptView attempt={test} title="Test (webhook.test)" open /> : null}
        </Card>
        <Card title="How">
          {!webhook ? null : (
            <div className="field">
              <span>Custom headers</span>
              <HeadersEditor
                rows={form.headers}
                onChange={(headers) => {
                  setHeadersTouched(true)
                  set({ headers })
                }}
              />
            </div>
          )}
          <label className="field narrow">
            <span>Timeout (seconds, 1–30)</span>
            <input
              type="number"
              min={1}
              max={30}
              value={form.timeoutSeconds}
              onChange={(e) => set({ timeoutSeconds: e.target.value })}
            />
          </label>
        </Card>
        <ErrorNote error={save.error} />
        <div className="actions">
          <AdminButton
            type="submit"
            variant="primary"
            busy={save.busy}
            disabled={form.events.length === 0}
          >
            {id ? 'Save changes' : 'Create destination'}
          </AdminButton>
          <Button
            variant="quiet"
            onClick={() => navigate(id ? `/destinations/${id}` : '/destinations')}
          >
            Cancel
          </Button>
        </div>
      </form>
    </>
  )
}

function Created({ destination }: { destination: Destination }) {
  return (
    <>
      <PageHead
        title="Destination created"
        sub={destination.url ?? destination.to?.join(', ') ?? undefined}
      />
      <Card title="Signing secret">
        <p>
          Receivers verify each request's <code>webhook-signature</code> with this secret. It is
          shown this once; rotate it from the destination's page if it is lost.
        </p>
        <Code>{destination.secret ?? '(not returned)'}</Code>
        <div className="actions">
          <Link to={`/destinations/${destination.id}`} className="btn btn-primary">
            Open the destination
          </Link>
          <Link to="/destinations" className="btn btn-default">
            All destinations
          </Link>
        </div>
      </Card>
    </>
  )
}
