import type { EventOut } from '@switchyard/sdk'
import type { Connection } from './context.ts'
import { note } from './output.ts'
import { subscribe } from './sse.ts'

/**
 * `event: ready` of the event stream, once it is open: the project it follows and the types it
 * was asked for. (A server-sent event: /openapi.json describes the stream, not its frames.)
 */
export type StreamReady = { project: { id: string; name: string }; types: string[] | null }

/** What a command does with the project's live events. */
export interface EventHandlers {
  /** Once, when the stream is first open, with the project it follows. */
  onReady: (ready: StreamReady) => void
  /** Each event; the next is read once this resolves, so events are handled in order. */
  onEvent: (event: EventOut) => Promise<void> | void
}

/**
 * Follows `GET /v1/events/stream` until the process is stopped, reporting lost and restored
 * connections on stderr.
 * @example await followEvents(connection, ['record.created'], { onReady, onEvent })
 */
export async function followEvents(
  connection: Connection,
  types: string[] | null,
  handlers: EventHandlers,
): Promise<void> {
  const query = types && types.length > 0 ? `?types=${encodeURIComponent(types.join(','))}` : ''
  let readyOnce = false
  for await (const message of subscribe({
    url: `${connection.url}/v1/events/stream${query}`,
    apiKey: connection.apiKey,
    onConnection: (state) =>
      note(state === 'lost' ? 'connection lost; reconnecting…' : 'reconnected; resuming'),
  })) {
    if (message.event === 'ready') {
      if (!readyOnce) handlers.onReady(JSON.parse(message.data) as StreamReady)
      readyOnce = true
    } else if (message.event === 'event') {
      await handlers.onEvent(JSON.parse(message.data) as EventOut)
    }
  }
}

/** `--types a,b` / `--events a,b` → ['a', 'b'], or null for all. */
export function listOption(value: string | undefined): string[] | null {
  const items = (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
  return items.length > 0 ? items : null
}
