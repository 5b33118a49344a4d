import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react'

/*
 * Path routing on the History API. The server answers every non-API GET with index.html, so
 * any page of the app can be reloaded or linked to. Filters live in the query string.
 */

const changeEvent = 'switchyard:navigate'

/** The current location: path and query. */
export interface Location {
  path: string
  query: URLSearchParams
}

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) }
}

/**
 * Goes to a page of the app without a reload.
 * @example navigate('/deliveries?status=failed')
 */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  window.dispatchEvent(new Event(changeEvent))
  if (!options.replace) window.scrollTo(0, 0)
}

/** Re-renders on every navigation (links, back and forward). */
export function useLocation(): Location {
  const [location, setLocation] = useState(current)
  useEffect(() => {
    const update = () => setLocation(current())
    window.addEventListener('popstate', update)
    window.addEventListener(changeEvent, update)
    return () => {
      window.removeEventListener('popstate', update)
      window.removeEventListener(changeEvent, update)
    }
  }, [])
  return location
}

/**
 * Matches `/deliveries/:id` style patterns.
 * @example match('/deliveries/:id', '/deliveries/abc') // { id: 'abc' }
 */
export function match(pattern: string, path: string): Record<string, string> | null {
  const normal = (p: string) => p.replace(/\/+$/, '') || '/'
  const want = normal(pattern).split('/')
  const got = normal(path).split('/')
  if (want.length !== got.length) return null
  const params: Record<string, string> = {}
  for (const [i, part] of want.entries()) {
    const value = got[i] ?? ''
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(value)
    else if (part !== value) return null
  }
  return params
}

/** Builds `path?query` from the non-empty values. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value)
  const text = params.toString()
  return text ? `${path}?${text}` : path
}

/** An in-app link: a plain click navigates without a reload, other clicks behave as usual. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(event)
    if (event.defaultPrevented || event.button !== 0) return
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    navigate(to)
  }
  return <a href={to} {...rest} onClick={onClick} />
}
