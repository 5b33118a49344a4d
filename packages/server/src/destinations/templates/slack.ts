import type { PresetDefinition } from './preset-types.ts'
import { urlOption } from './preset-types.ts'

/*
 * Slack incoming webhook (api.slack.com/messaging/webhooks): POST JSON to the webhook URL.
 * `text` is the notification and fallback text Slack asks for whenever `blocks` are sent
 * (api.slack.com/reference/block-kit/blocks). Limits: a section's text 3,000 characters, each
 * field 2,000 (so every string is capped at 2,000). Text fields are mrkdwn: &, < and > must be
 * escaped as HTML entities (api.slack.com/reference/surfaces/formatting#escaping), which the
 * preset does for every inserted value; the button URL is inserted as a JSON value, unescaped.
 */

const fields = String.raw`{"type": "section", "fields": [
      {"type": "mrkdwn", "text": "*Project*\n{{$.event.project.name}}"},
      {"type": "mrkdwn", "text": "*User*\n{{$.event.user.id}}"},
      {"type": "mrkdwn", "text": "*Integration*\n{{$.event.integration.type}}"}`

const headline = String.raw`{"type": "section", "text": {"type": "mrkdwn", "text": "*{{$.event.message}}*"}}`
const footer = String.raw`{"type": "context", "elements": [{"type": "mrkdwn", "text": "{{$.event.type}} · {{$.event.timestampISO}}"}]}`

export const slackPreset: PresetDefinition = {
  name: 'slack',
  title: 'Slack incoming webhook',
  options: {
    url: urlOption('The incoming webhook URL (https://hooks.slack.com/services/…).', true),
  },
  endpoint: (options) => ({ url: options.url as string }),
  headers: () => ({}),
  context: () => ({}),
  templates: {
    'workflow.failed': String.raw`{
  "text": "{{$.event.message}}: {{$.event.data.error}}",
  "blocks": [
    ${headline},
    ${fields},
      {"type": "mrkdwn", "text": "*Workflow*\n{{$.event.workflow.name}}"}
    ]},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Error*\n{{$.event.data.error}}"}},
    {"type": "actions", "elements": [
      {"type": "button", "text": {"type": "plain_text", "text": "View execution"},
       "url": {{$.event.data.executionUrl}}}
    ]},
    ${footer}
  ]
}`,
    'credential.failed': String.raw`{
  "text": "{{$.event.message}}",
  "blocks": [
    ${headline},
    ${fields}]},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Error*\n{{$.event.data.error}}"}},
    ${footer}
  ]
}`,
    default: String.raw`{
  "text": "{{$.event.message}}",
  "blocks": [${headline}, ${fields}]}, ${footer}]
}`,
  },
  limits: { maxStringChars: 2000 },
  escape: (text) =>
    closeQuotes(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;'),
  secretUrl: true,
}

/**
 * The monitoring format's messages copy the seed's quotes byte for byte, U+201C on both sides
 * (`Workflow “Sync contacts“ failed`: receivers may match on it). A Slack message is read by
 * people, so a pair is closed with U+201D there: `Workflow “Sync contacts” failed`.
 */
function closeQuotes(text: string): string {
  return text.replace(/\u201c([^\u201c\u201d]*)\u201c/g, '\u201c$1\u201d')
}
