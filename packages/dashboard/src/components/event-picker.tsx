import type { WireFormat } from '../api-types.ts'
import { useEventTypes } from '../event-types.ts'
import { ErrorNote } from './ui.tsx'

/** Every event, or a chosen list of canonical types (each shown with its name in the format). */
export function EventPicker(props: {
  format: WireFormat
  selected: string[]
  onChange: (events: string[]) => void
}) {
  const types = useEventTypes()
  const every = props.selected.includes('*')
  const toggle = (type: string, on: boolean) => {
    const rest = props.selected.filter((t) => t !== type && t !== '*')
    props.onChange(on ? [...rest, type] : rest)
  }
  // Names a destination was saved with that are not canonical (a wire format's own names) stay listed.
  const known = new Set((types.data ?? []).map((t) => t.type))
  const extra = props.selected.filter((t) => t !== '*' && !known.has(t))
  return (
    <fieldset className="field events-field">
      <legend>Events</legend>
      <label className="check">
        <input
          type="checkbox"
          name="all-events"
          checked={every}
          onChange={(e) => props.onChange(e.target.checked ? ['*'] : [])}
        />
        Every event this format carries
      </label>
      <ErrorNote error={types.error} />
      {!every ? (
        <div className="event-grid">
          {(types.data ?? []).map((t) => {
            const name = t.names[props.format]
            return (
              <label
                key={t.type}
                className={`check ${name === null ? 'dim' : ''}`}
                title={t.description}
              >
                <input
                  type="checkbox"
                  name="event"
                  value={t.type}
                  checked={props.selected.includes(t.type)}
                  onChange={(e) => toggle(t.type, e.target.checked)}
                />
                <span className="mono">{t.type}</span>
                <span className="muted small">
                  {name === null
                    ? 'not in this format'
                    : name && name !== t.type
                      ? `as ${name}`
                      : ''}
                </span>
              </label>
            )
          })}
          {extra.map((t) => (
            <label key={t} className="check">
              <input type="checkbox" checked onChange={() => toggle(t, false)} />
              <span className="mono">{t}</span>
            </label>
          ))}
        </div>
      ) : null}
      {!every && props.selected.length === 0 ? (
        <p className="muted small">Pick at least one event.</p>
      ) : null}
    </fieldset>
  )
}
