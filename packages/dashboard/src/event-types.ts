import type { EventType } from './api-types.ts'
import { useLoad, type Loaded } from './hooks.ts'
import { useSession } from './session-context.ts'

let cached: Promise<EventType[]> | null = null

/**
 * The event catalog (`GET /v1/event-types`), read once per page load: it changes only with
 * the server's version.
 */
export function useEventTypes(): Loaded<EventType[]> {
  const { api } = useSession()
  return useLoad(() => {
    cached ??= api.eventTypes().then(
      (answer) => answer.data,
      (error: unknown) => {
        cached = null
        throw error
      },
    )
    return cached
  }, 'event-types')
}
