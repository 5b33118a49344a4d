/** The innermost string or number `code` a client error carries ('' when none). */
export function codeOf(error: unknown): string {
  let current: unknown = error
  let found = ''
  for (let depth = 0; current && depth < 5; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown }
    if (typeof code === 'string' || typeof code === 'number') found = String(code)
    current = cause
  }
  return found
}

/** A client error's message, its code in front when the message does not say it. */
export function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const code = codeOf(error)
  return code && !message.includes(code) ? `${code}: ${message}` : message
}
