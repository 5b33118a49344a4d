import { useEffect, useState, type FormEvent } from 'react'
import {
  wireFormats,
  type Destination,
  type DestinationIn,
  type TestResult,
  type WireFormat,
} from '../api-types.ts'
import { AttemptView } from '../components/attempt.tsx'
import { EventPicker } from '../components/event-picker.tsx'
import {
  HeadersEditor,
  redactedValue,
  toHeaders,
  toRows,
  type HeaderRow,
} from '../components/headers-editor.tsx'
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

interface FormState {
  name: string
  url: string
  events: string[]
  format: WireFormat
  headers: HeaderRow[]
  timeoutSeconds: string
}

function fromDestination(d: Destination): FormState {
  return {
    name: d.name ?? '',
    url: d.url ?? '',
    events: d.events,
    format: d.format,
    headers: toRows(d.headers),
    timeoutSeconds: String((d.timeoutMs ?? 15_000) / 1000),
  }
}

const blank: FormState = {
  name: '',
  url: '',
  events: ['*'],
  format: 'standard',
  headers: [],
  timeoutSeconds: '15',
}

/** Create a webhook destination, or edit one; Test sends a webhook.test to the form as it is. */
export function DestinationFormPage({ id }: { id?: string }) {
  const { api, role } = useSession()
  const existing = useLoad(
    () => (id ? api.destinations.get(id) : Promise.resolve(null)),
    `edit:${id ?? 'new'}`,
  )
  const [form, setForm] = useState<FormState>(blank)
  const [headersTouched, setHeadersTouched] = useState(false)
  const [test, setTest] = useState<TestResult | null>(null)
  const [created, setCreated] = useState<Destination | null>(null)
  useEffect(() => {
    if (existing.data) setForm(fromDestination(existing.data))
  }, [existing.data])
  const set = (patch: Partial<FormState>) => setForm((f) => ({ ...f, ...patch }))
  const timeoutMs = Math.round(Number(form.timeoutSeconds) * 1000) || 15_000
  const stillRedacted = form.headers.filter((h) => h.value === redactedValue).map((h) => h.name)

  const runTest = useAction(async () => {
    setTest(null)
    const headers = toHeaders(form.headers.filter((h) => h.value !== redactedValue))
    setTest(
      await api.destinations.testUnsaved({
        url: form.url.trim(),
        format: form.format,
        headers,
        timeoutMs,
      }),
    )
  })
  const save = useAction(async () => {
    if (headersTouched && stillRedacted.length > 0)
      throw new Error(`Type the value of ${stillRedacted.join(', ')} again, or remove the header.`)
    const input: DestinationIn = {
      name: form.name.trim() || null,
      url: form.url.trim(),
      events: form.events,
      format: form.format,
      timeoutMs,
      ...(!id || headersTouched ? { headers: toHeaders(form.headers) } : {}),
    }
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
  return (
    <>
      <PageHead
        title={id ? 'Edit destination' : 'New destination'}
        sub="A webhook: Switchyard POSTs each matching event to the URL, signed with Standard Webhooks."
      />
      {readOnly ? <div className="note note-info">{needsAdmin}</div> : null}
      <form className="form" onSubmit={submit}>
        <Card title="Where">
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
        <Card title="How">
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
        <ErrorNote error={runTest.error} title="Test" />
        {test ? <AttemptView attempt={test} title="Test (webhook.test)" /> : null}
        <ErrorNote error={save.error} />
        <div className="actions">
          <AdminButton
            busy={runTest.busy}
            disabled={!form.url.trim()}
            onClick={() => void runTest.run()}
          >
            Send test
          </AdminButton>
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
      <PageHead title="Destination created" sub={destination.url} />
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
