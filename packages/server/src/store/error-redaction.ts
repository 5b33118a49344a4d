/*
 * Errors from the store are logged whole: pino prints every own field of an error. PGlite
 * attaches the statement's parameters (`params`: an event's data, sealed secrets, whole request
 * bodies), and both stores echo parts of the values in `detail` ("Key (k)=(…) already exists",
 * "Failing row contains (…)") and `where` ("JSON data, line 1: …"). Those fields are replaced
 * before the error leaves the store; the SQL text (only $n placeholders) and the SQLSTATE stay,
 * which is what a reader of the log needs to find the statement and what code branches on.
 */

const valueFields = ['params', 'detail', 'where'] as const

/**
 * Replaces the fields of a store error that can carry the statement's values, and records the
 * statement's text when the driver did not (node-postgres). Returns the same error.
 * @example await pglite.query(text, values).catch((e) => { throw redactStoreError(e, text) })
 */
export function redactStoreError(error: unknown, text?: string): unknown {
  if (typeof error !== 'object' || error === null) return error
  const fields = error as Record<string, unknown>
  for (const field of valueFields)
    if (fields[field] !== undefined) fields[field] = '[redacted: may hold values]'
  if (text !== undefined && fields['query'] === undefined && 'code' in fields)
    fields['query'] = text
  return error
}
