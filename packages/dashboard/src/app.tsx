import { Fragment, useEffect, useMemo, useState, type ReactNode } from 'react'
import { createApi, errorMessage, SwitchyardApiError } from './api.ts'
import { Layout } from './components/layout.tsx'
import { DeliveriesPage } from './routes/deliveries.tsx'
import { DeliveryPage } from './routes/delivery.tsx'
import { DestinationFormPage } from './routes/destination-form.tsx'
import { DestinationPage } from './routes/destination.tsx'
import { DestinationsPage } from './routes/destinations.tsx'
import { EventPage } from './routes/event.tsx'
import { EventsPage } from './routes/events.tsx'
import { NotFoundPage } from './routes/not-found.tsx'
import { OverviewPage } from './routes/overview.tsx'
import { SignInPage } from './routes/signin.tsx'
import { SyncWebhookPage } from './routes/sync-webhook.tsx'
import { SyncsPage } from './routes/syncs.tsx'
import { TriggerFormPage } from './routes/trigger-form.tsx'
import { TriggerPage } from './routes/trigger.tsx'
import { TriggersPage } from './routes/triggers.tsx'
import { match, useLocation, type Location } from './router.tsx'
import { forgetKey, storedKey, storeKey } from './session.ts'
import { SessionContext, type Session } from './session-context.ts'

type Routes = [
  pattern: string,
  page: (params: Record<string, string>, location: Location) => ReactNode,
][]

const routes: Routes = [
  ['/', () => <OverviewPage />],
  ['/destinations', () => <DestinationsPage />],
  ['/destinations/new', () => <DestinationFormPage />],
  ['/destinations/:id', (p) => <DestinationPage id={p.id!} />],
  ['/destinations/:id/edit', (p) => <DestinationFormPage id={p.id!} />],
  ['/webhook', () => <SyncWebhookPage />],
  ['/deliveries', (_p, l) => <DeliveriesPage query={l.query} />],
  ['/deliveries/:id', (p) => <DeliveryPage id={p.id!} />],
  ['/events', (_p, l) => <EventsPage query={l.query} />],
  ['/events/:id', (p) => <EventPage id={p.id!} />],
  ['/syncs', (_p, l) => <SyncsPage query={l.query} />],
  ['/triggers', () => <TriggersPage />],
  ['/triggers/new', () => <TriggerFormPage />],
  ['/triggers/:id', (p) => <TriggerPage id={p.id!} />],
  ['/triggers/:id/edit', (p) => <TriggerFormPage id={p.id!} />],
]

function pageFor(location: Location): ReactNode {
  for (const [pattern, page] of routes) {
    const params = match(pattern, location.path === '' ? '/' : location.path)
    if (params) return page(params, location)
  }
  return <NotFoundPage />
}

type SessionState =
  | { kind: 'signed-out'; error?: string }
  | { kind: 'checking'; key: string }
  | { kind: 'ready'; session: Omit<Session, 'signOut'> }
  | { kind: 'failed'; key: string; error: string }

/** Signs in with the stored key (checking it against the API), then routes to the pages. */
export function App() {
  const location = useLocation()
  const [state, setState] = useState<SessionState>(() => {
    const key = storedKey()
    return key ? { kind: 'checking', key } : { kind: 'signed-out' }
  })
  const key = state.kind === 'checking' ? state.key : null

  useEffect(() => {
    if (!key) return
    const api = createApi(key)
    Promise.all([api.settings.get(), api.role()]).then(
      ([settings, role]) => setState({ kind: 'ready', session: { api, role, settings } }),
      (error: unknown) => {
        // 401: not a key at all; project_key_required: a valid key of another kind (the
        // instance admin token, a user token), which this project dashboard cannot use either.
        const refused =
          error instanceof SwitchyardApiError &&
          (error.status === 401 || error.code === 'project_key_required')
        if (refused) {
          forgetKey()
          setState({ kind: 'signed-out', error: `That key was refused: ${error.message}` })
        } else setState({ kind: 'failed', key, error: errorMessage(error) })
      },
    )
  }, [key])

  const session = useMemo<Session | null>(() => {
    if (state.kind !== 'ready') return null
    const signOut = () => {
      forgetKey()
      setState({ kind: 'signed-out' })
    }
    return { ...state.session, signOut }
  }, [state])

  const signIn = (newKey: string) => {
    storeKey(newKey)
    setState({ kind: 'checking', key: newKey.trim() })
  }

  if (state.kind === 'signed-out') return <SignInPage error={state.error} onSignIn={signIn} />
  if (state.kind === 'failed')
    return (
      <SignInPage
        error={`Could not reach the API: ${state.error}`}
        onSignIn={signIn}
        retry={() => setState({ kind: 'checking', key: state.key })}
      />
    )
  if (!session) return <div className="loading-screen">Signing in…</div>
  return (
    <SessionContext.Provider value={session}>
      <Layout path={location.path}>
        {/* A new path is a new page: no form state carries over from the last one. */}
        <Fragment key={location.path}>{pageFor(location)}</Fragment>
      </Layout>
    </SessionContext.Provider>
  )
}
