import { Button } from './ui.tsx'

export type HeaderRow = { name: string; value: string }

/** The server shows credential-carrying header values as this; they must be typed again. */
export const redactedValue = '[redacted]'

export function toRows(headers: Record<string, string> | undefined): HeaderRow[] {
  return Object.entries(headers ?? {}).map(([name, value]) => ({ name, value }))
}

export function toHeaders(rows: HeaderRow[]): Record<string, string> {
  return Object.fromEntries(rows.filter((r) => r.name.trim()).map((r) => [r.name.trim(), r.value]))
}

/** Name/value rows: custom request headers by default, or any pairs (`placeholders`). */
export function HeadersEditor(props: {
  rows: HeaderRow[]
  onChange: (rows: HeaderRow[]) => void
  placeholders?: [name: string, value: string]
  addLabel?: string
}) {
  const { rows, onChange } = props
  const [namePlaceholder, valuePlaceholder] = props.placeholders ?? ['X-Team', 'value']
  const set = (i: number, patch: Partial<HeaderRow>) =>
    onChange(rows.map((row, j) => (j === i ? { ...row, ...patch } : row)))
  return (
    <div className="headers-editor">
      {rows.map((row, i) => (
        <div className="header-row" key={i}>
          <input
            aria-label="Name"
            placeholder={namePlaceholder}
            value={row.name}
            onChange={(e) => set(i, { name: e.target.value })}
          />
          <input
            aria-label="Value"
            placeholder={row.value === redactedValue ? 'type the value again' : valuePlaceholder}
            value={row.value === redactedValue ? '' : row.value}
            onChange={(e) => set(i, { value: e.target.value })}
          />
          <Button
            variant="quiet"
            aria-label="Remove"
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ✕
          </Button>
        </div>
      ))}
      <Button variant="quiet" onClick={() => onChange([...rows, { name: '', value: '' }])}>
        {props.addLabel ?? '+ Add header'}
      </Button>
    </div>
  )
}
