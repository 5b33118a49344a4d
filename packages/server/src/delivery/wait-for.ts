import type { Dispatcher } from './dispatcher.ts'
import type { DispatcherEvents } from './types.ts'

/**
 * Resolves with the first `name` event that matches, or rejects after `timeoutMs`. Subscribe
 * before causing the event: the promise listens from the moment it is created.
 * @example
 * const delivered = waitForDispatch(engine.dispatcher, 'delivered', (e) => e.eventId === id)
 * await publish(); await delivered
 */
export function waitForDispatch<K extends keyof DispatcherEvents>(
  dispatcher: Pick<Dispatcher, 'events'>,
  name: K,
  matches: (...args: DispatcherEvents[K]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<DispatcherEvents[K][0]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: DispatcherEvents[K]) => {
      if (!matches(...args)) return
      cleanup()
      resolve(args[0])
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`no matching dispatcher "${String(name)}" event within ${timeoutMs} ms`))
    }, timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      dispatcher.events.off(name, listener as never)
    }
    dispatcher.events.on(name, listener as never)
  })
}
