/** "12 s ago", "5 min ago", "in 3 h", or a date past a day. */
export function relativeTime(iso: string, now = Date.now()): string {
  const at = Date.parse(iso)
  const seconds = Math.round((now - at) / 1000)
  const abs = Math.abs(seconds)
  const say = (n: number, unit: string) => (seconds >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`)
  if (abs < 5) return 'just now'
  if (abs < 60) return say(abs, 's')
  if (abs < 3600) return say(Math.round(abs / 60), 'min')
  if (abs < 86_400) return say(Math.round(abs / 3600), 'h')
  return new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

/** The full local time, for tooltips. */
export function fullTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })
}

/** 850 ms, 1.2 s, 3 min 5 s. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

/** 0.953 → "95.3%"; null → "–". */
export function percent(ratio: number | null): string {
  if (ratio === null) return '–'
  if (ratio === 1 || ratio === 0) return `${ratio * 100}%`
  return `${(ratio * 100).toFixed(1)}%`
}

/** A destination's label: its name, else its URL's host and path. */
export function destinationLabel(d: {
  name?: string | null
  url?: string | null
  id: string
}): string {
  if (d.name) return d.name
  if (!d.url) return d.id.slice(0, 8)
  try {
    const url = new URL(d.url)
    return url.host + (url.pathname === '/' ? '' : url.pathname)
  } catch {
    return d.url
  }
}

/** Pretty JSON; strings that hold JSON are parsed first. */
export function prettyJson(value: unknown): string {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2)
    } catch {
      return value
    }
  }
  return JSON.stringify(value, null, 2) ?? String(value)
}

/** A short form of a UUID for tables; the full one is in the title. */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id
}

/** `datetime-local` input value → ISO string (local time), or undefined when empty. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined
  const at = new Date(value)
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString()
}

/** ISO string → `datetime-local` input value. */
export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return ''
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return ''
  const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000)
  return local.toISOString().slice(0, 16)
}
