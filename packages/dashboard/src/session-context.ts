import { createContext, useContext } from 'react'
import type { Api, Role } from './api.ts'
import type { Settings } from './api-types.ts'

/** The signed-in session every page reads. */
export interface Session {
  api: Api
  role: Role
  settings: Settings
  signOut: () => void
}

export const SessionContext = createContext<Session | null>(null)

/** The current session; pages render only inside a signed-in app. */
export function useSession(): Session {
  const session = useContext(SessionContext)
  if (!session) throw new Error('useSession() outside a signed-in app')
  return session
}

/** The tooltip on controls a read-only key may not use. */
export const needsAdmin = 'Needs an admin API key: this key can read but not change anything.'
