/** An email ready for the mail server. */
export interface EmailMessage {
  to: string[]
  subject: string
  text: string
  html: string
}

// What the monitoring format (seed 002) carries, as label and path; absent ones are skipped.
const facts: readonly [label: string, path: readonly string[]][] = [
  ['Project', ['project', 'name']],
  ['User', ['user', 'id']],
  ['Integration', ['integration', 'type']],
  ['Workflow', ['workflow', 'name']],
  ['Error', ['data', 'error']],
  ['Reason', ['data', 'reason']],
  ['Time', ['timestampISO']],
]

/**
 * The email for one event: the subject is the rendered event's `message` (the monitoring
 * format's one-line summary; the event's name in other formats), the text and HTML parts list
 * the facts an operator acts on, link the execution, and end with the event as JSON.
 * @example composeEmail({ to: ['ops@acme.test'], body, type: 'workflow_failure', projectName: 'Acme' })
 * // { subject: '[Acme] Workflow “Sync“ failed for User u_1', text: '…', html: '…', to: [...] }
 */
export function composeEmail(input: {
  to: readonly string[]
  body: unknown
  /** The event's name in the destination's format. */
  type: string
  projectName: string
}): EmailMessage {
  const { body } = input
  const message = textAt(body, ['message']) ?? `${input.type} in ${input.projectName}`
  const rows = facts.flatMap(([label, path]) => {
    const value = textAt(body, path)
    return value === null ? [] : [[label, value] as const]
  })
  const link = httpUrl(textAt(body, ['data', 'executionUrl']))
  const json = JSON.stringify(body, null, 2)
  const text = [
    message,
    '',
    ...rows.map(([label, value]) => `${label}: ${value}`),
    ...(link ? [`Execution: ${link}`] : []),
    '',
    'Event:',
    json,
  ].join('\n')
  const html = [
    `<p><strong>${escapeHtml(message)}</strong></p>`,
    '<table>',
    ...rows.map(
      ([label, value]) => `<tr><th align="left">${label}</th><td>${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
    ...(link ? [`<p><a href="${escapeHtml(link)}">View the execution</a></p>`] : []),
    `<pre>${escapeHtml(json)}</pre>`,
  ].join('\n')
  // A subject is one header line.
  const subject = `[${input.projectName}] ${message}`.replace(/[\r\n]+/g, ' ')
  return { to: [...input.to], subject, text, html }
}

function textAt(value: unknown, path: readonly string[]): string | null {
  let current = value
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return null
    current = (current as Record<string, unknown>)[key]
  }
  if (typeof current === 'string') return current === '' ? null : current
  return typeof current === 'number' || typeof current === 'boolean' ? String(current) : null
}

function httpUrl(value: string | null): string | null {
  return value !== null && /^https?:\/\//i.test(value) ? value : null
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
}
