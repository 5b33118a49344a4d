import { useEffect, useState, type ReactNode } from 'react'
import type { Trigger } from '../api-types.ts'
import { SetupStep } from '../components/trigger-setup-step.tsx'
import {
  BasicsStep,
  ResponseStep,
  RoutingStep,
  VerificationStep,
} from '../components/trigger-steps.tsx'
import { AdminButton, Button, Card, Code, ErrorNote, Json, PageHead } from '../components/ui.tsx'
import { useAction, useLoad } from '../hooks.ts'
import { Link, navigate } from '../router.tsx'
import { needsAdmin, useSession } from '../session-context.ts'
import {
  blankTrigger,
  fromTrigger,
  toTriggerIn,
  type Section,
  type StepProps,
  type TriggerForm,
} from '../trigger-form-model.ts'

const steps: [Section, string, (props: StepProps) => ReactNode][] = [
  ['basics', 'Basic info', BasicsStep],
  ['setup', 'Setup', SetupStep],
  ['response', 'Response', ResponseStep],
  ['routing', 'Routing', RoutingStep],
  ['verification', 'Verification', VerificationStep],
]

// Which section each field belongs to: an edit sends only the sections it changed.
function sectionOf(field: keyof TriggerForm): Section {
  if (field === 'integration' || field === 'name' || field === 'level') return 'basics'
  if (field === 'setupMode' || field === 'subscribe' || field === 'unsubscribe') return 'setup'
  if (field.startsWith('response')) return 'response'
  if (field.startsWith('routing')) return 'routing'
  return 'verification'
}

/** Create or edit a custom webhook trigger, one step at a time, then review the definition. */
export function TriggerFormPage({ id }: { id?: string }) {
  const { api, role } = useSession()
  const existing = useLoad(
    () => (id ? api.triggers.get(id) : Promise.resolve(null)),
    `trigger-edit:${id ?? 'new'}`,
  )
  const presets = useLoad(() => api.triggers.presets(), 'trigger-presets')
  const [form, setForm] = useState<TriggerForm>(blankTrigger)
  const [changed, setChanged] = useState<Set<Section>>(new Set())
  const [step, setStep] = useState(0)
  const [created, setCreated] = useState<Trigger | null>(null)
  useEffect(() => {
    if (existing.data) setForm(fromTrigger(existing.data))
  }, [existing.data])
  const set = (patch: Partial<TriggerForm>) => {
    setForm((f) => ({ ...f, ...patch }))
    setChanged(
      (c) => new Set([...c, ...Object.keys(patch).map((k) => sectionOf(k as keyof TriggerForm))]),
    )
  }
  const reviewing = step === steps.length
  let preview: unknown = null
  let previewError: string | null = null
  try {
    preview = toTriggerIn(form, id ? changed : undefined)
  } catch (error) {
    previewError = error instanceof Error ? error.message : String(error)
  }
  const save = useAction(async () => {
    if (id) {
      if (changed.size > 0) await api.triggers.update(id, toTriggerIn(form, changed))
      navigate(`/triggers/${id}`)
    } else
      setCreated(
        await api.triggers.create(toTriggerIn(form) as Parameters<typeof api.triggers.create>[0]),
      )
  })

  if (created) return <Created trigger={created} />
  if (existing.error) return <ErrorNote error={existing.error} />
  const Step = steps[step]?.[2]
  return (
    <>
      <PageHead
        title={id ? 'Edit trigger' : 'New trigger'}
        sub="A custom webhook trigger: where a provider sends, how Switchyard answers, checks and routes it."
      />
      {role !== 'admin' ? <div className="note note-info">{needsAdmin}</div> : null}
      <ol className="stepper">
        {[...steps.map(([, label]) => label), 'Review'].map((label, i) => (
          <li key={label} className={i === step ? 'current' : i < step ? 'done' : undefined}>
            <button type="button" onClick={() => setStep(i)}>
              <span className="step-number">{i + 1}</span> {label}
            </button>
          </li>
        ))}
      </ol>
      <ErrorNote error={presets.error} />
      <Card title={reviewing ? 'Review' : steps[step]?.[1]}>
        {Step ? <Step form={form} set={set} presets={presets.data} /> : null}
        {reviewing ? (
          previewError ? (
            <div className="note note-error">{previewError}</div>
          ) : (
            <>
              <p className="muted">{id ? 'The changes to send:' : 'The definition to create:'}</p>
              <Json value={preview} label="Trigger definition" />
            </>
          )
        ) : null}
      </Card>
      <ErrorNote error={save.error} />
      <div className="actions">
        <Button disabled={step === 0} onClick={() => setStep(step - 1)}>
          Back
        </Button>
        {reviewing ? (
          <AdminButton
            variant="primary"
            busy={save.busy}
            disabled={previewError !== null}
            onClick={() => void save.run()}
          >
            {id ? 'Save changes' : 'Create trigger'}
          </AdminButton>
        ) : (
          <Button variant="primary" onClick={() => setStep(step + 1)}>
            Next
          </Button>
        )}
        <Button variant="quiet" onClick={() => navigate(id ? `/triggers/${id}` : '/triggers')}>
          Cancel
        </Button>
      </div>
    </>
  )
}

function Created({ trigger }: { trigger: Trigger }) {
  return (
    <>
      <PageHead title="Trigger created" sub={`${trigger.integration} · ${trigger.name}`} />
      <Card title="Its URL">
        <p>
          Give this URL to the provider{trigger.level === 'user' ? ', with each credential id' : ''}
          :
        </p>
        <Code>{trigger.url}</Code>
        <div className="actions">
          <Link to={`/triggers/${trigger.id}`} className="btn btn-primary">
            Open it and listen for events
          </Link>
        </div>
      </Card>
    </>
  )
}
