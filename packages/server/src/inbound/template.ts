const placeholder = /\{\{\s*([\w.]+)\s*\}\}/g

/**
 * Replaces `{{path.to.value}}` in every string of `value`; a path that names nothing becomes ''.
 * @example renderTemplate('{{settings.webhookURL}}', { settings: { webhookURL: 'https://x' } }) // 'https://x'
 */
export function renderTemplate(value: unknown, vars: Record<string, unknown>): unknown {
  if (typeof value === 'string')
    return value.replace(placeholder, (_m, path: string) => {
      const found = path
        .split('.')
        .reduce<unknown>(
          (at, key) =>
            at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined,
          vars,
        )
      return found === undefined || found === null ? '' : String(found)
    })
  if (Array.isArray(value)) return value.map((v) => renderTemplate(v, vars))
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderTemplate(v, vars)]))
  return value
}

/**
 * Every `{{path}}` in the strings of `value`, with the JSON Pointer of the string it is in.
 * @example templatePaths({ url: '{{integration.baseUrl}}/x' }, '/setup') // [{ path: 'integration.baseUrl', at: '/setup/url' }]
 */
export function templatePaths(value: unknown, at = ''): { path: string; at: string }[] {
  if (typeof value === 'string')
    return [...value.matchAll(placeholder)].map((m) => ({ path: m[1]!, at }))
  if (Array.isArray(value)) return value.flatMap((v, i) => templatePaths(v, `${at}/${i}`))
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => templatePaths(v, `${at}/${k}`))
  return []
}
