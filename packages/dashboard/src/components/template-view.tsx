import type { Destination, PresetTemplate } from '../api-types.ts'
import { presetOptions } from '../destination-form-model.ts'
import { Card, Facts } from './ui.tsx'

/**
 * What a destination sends as the body, read-only: the event as its format renders it, a custom
 * template's text, or a preset with its options (secret options read back as `[redacted]`).
 * @example <TemplateCard destination={d} />
 */
export function TemplateCard({ destination }: { destination: Destination }) {
  const template = destination.template ?? null
  return (
    <Card title="Payload" className="template-card">
      {template === null ? (
        <p className="muted" data-testid="template">
          Default: the event as the <span className="tag">{destination.format}</span> wire format
          renders it (<code>{'{{$.event}}'}</code>).
        </p>
      ) : typeof template === 'string' ? (
        <>
          <p className="muted">
            Custom template: JSON with <code>{'{{ $.event… }}'}</code> placeholders, filled in for
            each event.
          </p>
          <pre className="code small" data-testid="template">
            {template}
          </pre>
        </>
      ) : (
        <PresetFacts preset={template} />
      )}
    </Card>
  )
}

function PresetFacts({ preset }: { preset: PresetTemplate }) {
  const known = presetOptions[preset.preset]
  const labelOf = (name: string) => known?.options.find((o) => o.name === name)?.label ?? name
  const rows: [string, string][] = Object.entries(preset)
    .filter(([name]) => name !== 'preset')
    .map(([name, value]) => [labelOf(name), Array.isArray(value) ? value.join(', ') : value])
  return (
    <div data-testid="template">
      <p className="muted">
        Preset: <strong>{known?.label ?? preset.preset}</strong>, the request that service accepts
        (docs/destinations.md shows each body).
      </p>
      <Facts rows={rows} />
    </div>
  )
}
