import type { ReactNode } from 'react'

/* Small form controls the trigger editor's steps share. */

export function Radio<T extends string>(props: {
  name: string
  value: T
  options: [value: T, label: string, hint?: string][]
  onChange: (value: T) => void
}) {
  return (
    <div className="choices" role="radiogroup" aria-label={props.name}>
      {props.options.map(([value, label, hint]) => (
        <label key={value} className={`choice ${props.value === value ? 'chosen' : ''}`}>
          <input
            type="radio"
            name={props.name}
            checked={props.value === value}
            onChange={() => props.onChange(value)}
          />
          <strong>{label}</strong>
          {hint ? <span className="muted small">{hint}</span> : null}
        </label>
      ))}
    </div>
  )
}

export function Text(props: {
  label: string
  value: string
  onChange: (value: string) => void
  placeholder?: string
  multiline?: boolean
  mono?: boolean
}) {
  const common = {
    value: props.value,
    placeholder: props.placeholder,
    spellCheck: false,
    className: props.mono ? 'mono' : undefined,
  }
  return (
    <label className="field">
      <span>{props.label}</span>
      {props.multiline ? (
        <textarea rows={4} {...common} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input {...common} onChange={(e) => props.onChange(e.target.value)} />
      )}
    </label>
  )
}

export function PresetSelect(props: {
  label: string
  value: string
  presets: { name: string; description: string }[]
  onChange: (value: string) => void
}) {
  const chosen = props.presets.find((p) => p.name === props.value)
  return (
    <label className="field">
      <span>{props.label}</span>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">choose…</option>
        {props.presets.map((p) => (
          <option key={p.name} value={p.name}>
            {p.name}
          </option>
        ))}
      </select>
      {chosen?.description ? <div className="muted small">{chosen.description}</div> : null}
    </label>
  )
}

export function FieldDocs({ fields }: { fields: Record<string, unknown> }): ReactNode {
  return (
    <details>
      <summary>What this preset takes</summary>
      <table className="headers">
        <tbody>
          {Object.entries(fields).map(([name, doc]) => (
            <tr key={name}>
              <th className="mono">{name}</th>
              <td>{typeof doc === 'string' ? doc : JSON.stringify(doc)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  )
}
