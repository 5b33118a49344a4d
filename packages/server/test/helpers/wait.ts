/**
 * Polls `check` until it returns a value other than undefined/false, or rejects after
 * `timeoutMs`. For conditions no engine event reports (a row's state over HTTP).
 * @example const row = await waitFor(async () => (await get()).status === 'held' || undefined)
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 5000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
