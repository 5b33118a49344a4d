/** What a redacted value reads as in the audit log. */
export const redacted = '[redacted]'

// Field names that hold secrets anywhere in a request body: tokens, keys, passwords, DSNs,
// signing secrets, private keys. `publicKey` is the one key-named field that is not secret.
const secretName = /secret|token|password|passwd|key|dsn|authorization|cookie|credential|private/i
const notSecret = new Set(['publicKey', 'keyId', 'idempotencyKey', 'key'])

/**
 * A request body as the audit log keeps it: secret-named fields and every custom header value
 * replaced by "[redacted]", URLs cut to their origin (a Slack webhook URL is itself the secret,
 * and query strings carry tokens), custom code kept (it is configuration, not a secret).
 * @example redactChanges({ name: 'x', headers: { 'DD-API-KEY': 'abc' } }) // { name: 'x', headers: { 'DD-API-KEY': '[redacted]' } }
 */
export function redactChanges(value: unknown, name = '', depth = 0): unknown {
  if (depth > 20) return redacted
  if (typeof value === 'string') {
    if (isSecretName(name)) return redacted
    if (/url|uri|dsn|endpoint/i.test(name) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value))
      return originOf(value)
    return value.length > 2000 ? value.slice(0, 2000) + '…' : value
  }
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => redactChanges(v, name, depth + 1))
  if (value === null || typeof value !== 'object') return value
  if (name.toLowerCase() === 'headers') {
    return Object.fromEntries(Object.keys(value).map((k) => [k, redacted]))
  }
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) =>
      isSecretName(k) && v !== null && typeof v !== 'object'
        ? [k, redacted]
        : [k, redactChanges(v, k, depth + 1)],
    ),
  )
}

function isSecretName(name: string): boolean {
  return name !== '' && !notSecret.has(name) && secretName.test(name)
}

function originOf(value: string): string {
  try {
    const url = new URL(value)
    return url.pathname === '/' && !url.search ? url.origin : `${url.origin}/${redacted}`
  } catch {
    return redacted
  }
}
