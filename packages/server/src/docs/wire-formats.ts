import {
  describeEventTypes,
  renderWireFormat,
  sampleEvent,
  wireFormats,
  type CanonicalType,
} from '../catalog/index.ts'

const publicUrl = 'https://switchyard.example.com'

/**
 * Renders docs/wire-formats.md from the catalog: every event in every wire format, with an
 * example body rendered by the same code that renders deliveries. A test fails when the
 * committed file differs (regenerate with `npm run docs -w switchyard`).
 */
export function renderWireFormatsDoc(): string {
  const types = describeEventTypes()
  const out: string[] = [
    '# Wire formats',
    '',
    '<!-- Generated from src/catalog by `npm run docs -w switchyard`; do not edit by hand. -->',
    '',
    'Producers raise **canonical events**; each destination picks the **wire format** its',
    'receiver expects. A blank cell means the format has no name for that event, and',
    'destinations in that format do not receive it.',
    '',
    `| canonical | ${wireFormats.map((f) => `\`${f}\``).join(' | ')} |`,
    `| --- | ${wireFormats.map(() => '---').join(' | ')} |`,
    ...types.map(
      (t) =>
        `| \`${t.type}\` | ${wireFormats.map((f) => (t.names[f] ? `\`${t.names[f]}\`` : '')).join(' | ')} |`,
    ),
    '',
  ]
  for (const t of types) out.push(...eventSection(t.type, t.description, t.dataSchema))
  return out.join('\n')
}

function eventSection(type: CanonicalType, description: string, dataSchema: object): string[] {
  const event = sampleEvent(type)
  const lines = [`## \`${type}\``, '', description, '', '`data` schema:', '', fence(dataSchema), '']
  for (const format of wireFormats) {
    const body = renderWireFormat(format, event, { publicUrl })
    if (body === null) continue
    lines.push(`### ${format}`, '', fence(body), '')
  }
  return lines
}

function fence(value: unknown): string {
  return '```json\n' + JSON.stringify(value, null, 2) + '\n```'
}
