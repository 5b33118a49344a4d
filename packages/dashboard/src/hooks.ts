import { useCallback, useEffect, useRef, useState } from 'react'
import type { Page } from './api-types.ts'

/** The state of a load: the last data, the last error, and a way to load again. */
export interface Loaded<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  /** When the data last arrived. */
  loadedAt: number | null
  reload: () => void
}

/**
 * Loads on mount and whenever `key` changes; with `pollMs`, again every `pollMs` while the tab
 * is visible. A slow answer never overwrites a newer one.
 * @example const destinations = useLoad(() => api.destinations.list(), 'destinations', { pollMs: 5000 })
 */
export function useLoad<T>(
  load: () => Promise<T>,
  key: string,
  options: { pollMs?: number } = {},
): Loaded<T> {
  const [state, setState] = useState<Omit<Loaded<T>, 'reload'>>({
    data: undefined,
    error: undefined,
    loading: true,
    loadedAt: null,
  })
  const loadRef = useRef(load)
  loadRef.current = load
  const sequence = useRef(0)
  const run = useCallback(() => {
    const mine = ++sequence.current
    setState((s) => ({ ...s, loading: true }))
    loadRef.current().then(
      (data) => {
        if (mine === sequence.current)
          setState({ data, error: undefined, loading: false, loadedAt: Date.now() })
      },
      (error: unknown) => {
        if (mine === sequence.current) setState((s) => ({ ...s, error, loading: false }))
      },
    )
  }, [])
  useEffect(() => {
    setState({ data: undefined, error: undefined, loading: true, loadedAt: null })
    run()
    if (!options.pollMs) return
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') run()
    }, options.pollMs)
    return () => window.clearInterval(timer)
  }, [key, options.pollMs, run])
  return { ...state, reload: run }
}

/** A list read page by page with `nextCursor`: the cursors seen so far make "Newer" work. */
export interface Paged<T> extends Loaded<Page<T>> {
  pageNumber: number
  older: (() => void) | null
  newer: (() => void) | null
}

/**
 * One page of a list at a time; changing `key` (the filters) starts again from the first page.
 * @example const page = usePaged((cursor) => api.deliveries.list({ cursor }), filtersKey)
 */
export function usePaged<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  key: string,
  options: { pollMs?: number } = {},
): Paged<T> {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined])
  useEffect(() => setCursors([undefined]), [key])
  const cursor = cursors.at(-1)
  // Only the first page is polled: a later page would shift under the reader as rows arrive.
  const pollMs = cursors.length === 1 ? options.pollMs : undefined
  const loaded = useLoad(() => fetchPage(cursor), `${key}|${cursor ?? ''}`, { pollMs })
  const next = loaded.data?.nextCursor
  return {
    ...loaded,
    pageNumber: cursors.length,
    older: next ? () => setCursors((c) => [...c, next]) : null,
    newer: cursors.length > 1 ? () => setCursors((c) => c.slice(0, -1)) : null,
  }
}

/** Re-renders every `ms` milliseconds (for "updated 3 s ago" labels). */
export function useTick(ms: number): number {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), ms)
    return () => window.clearInterval(timer)
  }, [ms])
  return now
}

/** An action a button starts: its busy state and its last error. */
export interface Action<A extends unknown[]> {
  run: (...args: A) => Promise<void>
  busy: boolean
  error: unknown
  clearError: () => void
}

/**
 * Wraps a click handler that calls the API: one run at a time, the error kept for display.
 * @example const enable = useAction(async () => { await api.destinations.action(id, 'enable'); reload() })
 */
export function useAction<A extends unknown[]>(act: (...args: A) => Promise<unknown>): Action<A> {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const actRef = useRef(act)
  actRef.current = act
  const run = useCallback(async (...args: A) => {
    setBusy(true)
    setError(undefined)
    try {
      await actRef.current(...args)
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }, [])
  return { run, busy, error, clearError: () => setError(undefined) }
}
