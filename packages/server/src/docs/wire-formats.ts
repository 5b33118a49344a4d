import {
  describeEventTypes,
  renderWireFormat,
  sampleEvent,
  wireFormats,
  type CanonicalType,
  type CatalogEvent,
  type WireFormat,
} from '../catalog/index.ts'
import { thinBody } from '../delivery/index.ts'

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
  out.push(...aboutSection(), ...probeSection(), ...claimCheckSection())
  for (const t of types) out.push(...eventSection(t.type, t.description, t.dataSchema))
  return out.join('\n')
}

function aboutSection(): string[] {
  return [
    '## Whom an event is about',
    '',
    'Every format says which project, connected user, credential and integration an event',
    'concerns, in its own vocabulary:',
    '',
    '| format | project | user | credential | integration |',
    '| --- | --- | --- | --- | --- |',
    '| `managed-sync` | (the webhook URL is per project) | `user.id` | `credentialId` | `sync` |',
    '| `workspace` | `workspace_id` | `customer_id` | `payload.id` | `payload.connector_type` (where the seed has it) |',
    '| `monitoring` | `project.id` | `user.id` | `integration.id` (else the credential id) | `integration.type` |',
    '| `standard` | `projectId` | `userId` | `credentialId` | `integration` |',
    '',
    'The seed formats write `null` where the event has no such party, as their documents do.',
    '`standard` leaves the member out instead (never `null`): `projectId` is always there,',
    '`userId`, `credentialId` and `integration` only when the event names them (directly, or',
    'through its credential).',
    '',
  ]
}

function probeSection(): string[] {
  const event: CatalogEvent = {
    id: '0197e5a2-3c1f-7d40-9b8e-2f6a1c0d4e53',
    type: 'webhook.test',
    occurredAt: new Date('2025-07-07T19:00:01.000Z'),
    data: {},
    project: { id: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d', name: 'Acme' },
  }
  const lines = [
    '## Test and probe events',
    '',
    '`POST /v1/destinations/test`, `POST /v1/destinations/:id/test` and the probe of a paused',
    'destination send `webhook.test`, about the project only (no user, credential or sync). In',
    '`managed-sync` it is the bare `webhook_verification` ping, which receivers written for',
    'Paragon answer `200` before checking `syncInstanceId` and `user.id`; the other formats send',
    "their seed's `webhook_test`. Success is any `2xx` within the destination's timeout, in every",
    'format; for a probe, `410 Gone` disables the destination and anything else is a failed',
    'probe (see destinations.md, "Self-healing delivery").',
    '',
  ]
  for (const format of wireFormats) {
    const body = renderWireFormat(format, event, { publicUrl })
    lines.push(`### ${format}`, '', fence(body), '')
  }
  return lines
}

/** One event per format whose body is typically the large one. */
const claimCheckExamples: Record<WireFormat, CanonicalType> = {
  'managed-sync': 'trigger.received',
  workspace: 'record.updated',
  monitoring: 'workflow.failed',
  standard: 'record.updated',
}

function claimCheckSection(): string[] {
  const claimCheck = {
    url: `${publicUrl}/v1/claims/3q2-7wAAAAAAAAAAAAAAAA.1751918400.kQ0pV9m4Xr1a3b5c7d9e1f3h5j7l9n1p3r5t7v9x1z3`,
    expiresAt: '2025-07-07T20:00:00.000Z',
    size: 734_003,
    sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  }
  const lines = [
    '## Large bodies (claim checks)',
    '',
    "A webhook body larger than the destination's `maxPayloadBytes` (default 256 KiB) goes out",
    "as a **thin event**: the body's envelope (its top-level members that are not objects or",
    'arrays: type, ids, timestamps) plus `claimCheck`, a signed URL that serves the full body',
    'byte for byte until `expiresAt` (see destinations.md). In each format:',
    '',
  ]
  for (const format of wireFormats) {
    const type = claimCheckExamples[format]
    const body = renderWireFormat(format, sampleEvent(type), { publicUrl })
    lines.push(`### ${format} (\`${type}\`)`, '', fence(thinBody(body, claimCheck)), '')
  }
  return lines
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
