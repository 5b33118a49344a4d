import {
  faultText,
  presetNames,
  presetOptions,
  type DestinationForm,
  type PresetOption,
  type TemplateFault,
} from '../destination-form-model.ts'
import { Radio } from './form-fields.tsx'

/** A webhook's body: the event as is, a custom template, or a service preset with its options. */
export function PayloadEditor({
  form,
  set,
  faults,
}: {
  form: DestinationForm
  set: (patch: Partial<DestinationForm>) => void
  /** Template and preset faults from the last test or save, with their position. */
  faults: TemplateFault[]
}) {
  // Only the faults of the body kind shown: a custom template's at /template, a preset's below it.
  const shown = faults.filter((f) =>
    form.payload === 'custom'
      ? f.path === '/template'
      : form.payload === 'preset' && f.path !== '/template',
  )
  return (
    <>
      <div className="field">
        <span>Body</span>
        <Radio
          name="Payload"
          value={form.payload}
          options={[
            ['default', 'Default ({{$.event}})', 'The event as its wire format renders it.'],
            ['custom', 'Custom template', 'JSON text with {{ $.event… }} placeholders.'],
            ['preset', 'Preset', 'A request Slack, Datadog, New Relic or Sentry accepts.'],
          ]}
          onChange={(payload) =>
            set(payload === 'preset' ? { payload, format: 'monitoring' } : { payload })
          }
        />
      </div>
      {form.payload === 'custom' ? (
        <label className="field">
          <span>Template</span>
          <textarea
            name="template"
            className="mono"
            rows={8}
            spellCheck={false}
            value={form.template}
            aria-invalid={shown.length > 0}
            onChange={(e) => set({ template: e.target.value })}
          />
          <div className="muted small">
            Paths read the event at <code>$.event</code> in the chosen wire format;{' '}
            <code>{'{{uuid()}}'}</code> and <code>{'{{now()}}'}</code> are available.
          </div>
        </label>
      ) : null}
      {form.payload === 'preset' ? <PresetFields form={form} set={set} /> : null}
      {shown.length > 0 ? (
        <div className="note note-error" role="alert" data-testid="template-faults">
          {shown.map((fault, i) => (
            <div key={i} className="mono small">
              {faultText(fault)}
            </div>
          ))}
        </div>
      ) : null}
    </>
  )
}

function PresetFields({
  form,
  set,
}: {
  form: DestinationForm
  set: (patch: Partial<DestinationForm>) => void
}) {
  const setOption = (name: string, value: string) =>
    set({ options: { ...form.options, [name]: value } })
  return (
    <>
      <label className="field narrow">
        <span>Service</span>
        <select
          name="preset"
          value={form.preset}
          onChange={(e) =>
            set({ preset: e.target.value as DestinationForm['preset'], options: {} })
          }
        >
          {presetNames.map((name) => (
            <option key={name} value={name}>
              {presetOptions[name].label}
            </option>
          ))}
        </select>
      </label>
      {presetOptions[form.preset].options.map((option) => (
        <OptionField
          key={`${form.preset}.${option.name}`}
          option={option}
          value={form.options[option.name] ?? ''}
          onChange={(value) => setOption(option.name, value)}
        />
      ))}
      <p className="muted small">
        Presets send the <code>monitoring</code> format. Secret options read back as{' '}
        <code>[redacted]</code>; leaving that in place keeps the stored value.
      </p>
    </>
  )
}

function OptionField(props: {
  option: PresetOption
  value: string
  onChange: (value: string) => void
}) {
  const { option } = props
  return (
    <label className="field">
      <span>{option.label}</span>
      {option.choices ? (
        <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
          <option value="">default ({option.placeholder})</option>
          {option.choices.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      ) : (
        <input
          name={option.name}
          required={option.required}
          spellCheck={false}
          placeholder={option.placeholder}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </label>
  )
}
