/*
 * The API key lives in sessionStorage only: it goes when the tab closes, and is never written
 * to localStorage, a cookie or the URL. A sign-in link carries it once (`/#key=…`, or
 * `?key=…`, or `/#/signin?key=…`); the app reads it, stores it and rewrites the URL without it
 * before anything renders, so it stays out of the history, bookmarks and screenshots.
 */

const storageKey = 'switchyard.apiKey'

/** The key of this tab's session, or null when signed out. */
export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(storageKey)
  } catch {
    return null
  }
}

/** Keeps the key for this tab. */
export function storeKey(key: string): void {
  sessionStorage.setItem(storageKey, key.trim())
}

/** Signs out: the key is forgotten. */
export function forgetKey(): void {
  sessionStorage.removeItem(storageKey)
}

/**
 * Takes a key out of the current URL, if it carries one: stores it and replaces the URL with
 * the same page minus the key (history.replaceState, so Back cannot bring it back).
 * @returns the key found, or null
 * @example takeKeyFromUrl() // on /#key=sy_abc: stores sy_abc, URL becomes /
 */
export function takeKeyFromUrl(): string | null {
  const url = new URL(window.location.href)
  let key = url.searchParams.get('key')
  if (key !== null) url.searchParams.delete('key')
  const hash = url.hash.replace(/^#\/?/, '')
  const [hashPath = '', hashQuery = ''] = hash.includes('?') ? hash.split('?', 2) : ['', hash]
  const hashParams = new URLSearchParams(hashQuery)
  if (hashParams.has('key')) {
    key ??= hashParams.get('key')
    url.hash = ''
    // `/#/signin?key=…` is a sign-in link: land on the overview; `/#/deliveries?key=…` keeps its page.
    if (hashPath && hashPath !== 'signin') url.pathname = `/${hashPath}`
  }
  if (key === null) return null
  if (url.pathname === '/signin') url.pathname = '/'
  window.history.replaceState(null, '', url.pathname + url.search + url.hash)
  if (key.trim() === '') return null
  storeKey(key)
  return key.trim()
}
