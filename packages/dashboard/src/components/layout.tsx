import type { ReactNode } from 'react'
import { BrandMark } from './brand-mark.tsx'
import { Link } from '../router.tsx'
import { needsAdmin, useSession } from '../session-context.ts'

export interface NavItem {
  to: string
  label: string
  icon: ReactNode
}

const icon = (d: string) => (
  <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
    <path
      d={d}
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  </svg>
)

export const navItems: NavItem[] = [
  { to: '/', label: 'Overview', icon: icon('M4 19V10M10 19V5M16 19v-7M22 19H2') },
  { to: '/destinations', label: 'Destinations', icon: icon('M5 12h14M13 6l6 6-6 6') },
  {
    to: '/webhook',
    label: 'Sync webhook',
    icon: icon('M4 4v6h6M20 20v-6h-6M5.5 15a7 7 0 0 0 12.5 2M18.5 9A7 7 0 0 0 6 7'),
  },
  { to: '/deliveries', label: 'Deliveries', icon: icon('M3 7l9 6 9-6M3 7v10h18V7M3 7h18') },
  { to: '/events', label: 'Events', icon: icon('M13 2 4 14h7l-1 8 9-12h-7z') },
  { to: '/syncs', label: 'Syncs', icon: icon('M4 7h16M4 12h10M4 17h6M17 14l3 3-3 3') },
  {
    to: '/triggers',
    label: 'Triggers',
    icon: icon('M12 3v6M12 15v6M5 12H3M21 12h-2M12 9a3 3 0 1 1 0 6 3 3 0 0 1 0-6'),
  },
]

function isActive(item: NavItem, path: string): boolean {
  return item.to === '/' ? path === '/' : path === item.to || path.startsWith(`${item.to}/`)
}

/** The frame of every signed-in page: the navigation, the project and the key's role. */
export function Layout({ path, children }: { path: string; children: ReactNode }) {
  const { settings, role, signOut } = useSession()
  return (
    <div className="shell">
      {/* The aside spans the page's whole height (its background); its contents stay in view. */}
      <aside className="sidebar">
        <div className="sidebar-inner">
          <Link to="/" className="brand">
            <BrandMark size={22} />
            Switchyard
          </Link>
          <nav className="nav" aria-label="Main">
            {navItems.map((item) => (
              <Link
                key={item.to}
                to={item.to}
                className={isActive(item, path) ? 'active' : undefined}
                aria-current={isActive(item, path) ? 'page' : undefined}
              >
                {item.icon}
                <span>{item.label}</span>
              </Link>
            ))}
          </nav>
          <div className="whoami">
            <div className="project" title={settings.projectId}>
              {settings.name}
            </div>
            <span
              className={`role role-${role}`}
              data-testid="role"
              title={
                role === 'admin' ? 'This key may change everything in the project.' : needsAdmin
              }
            >
              {role === 'admin' ? 'admin key' : 'read-only key'}
            </span>
            <button type="button" className="linkish" onClick={signOut}>
              Sign out
            </button>
          </div>
        </div>
      </aside>
      <main className="main">{children}</main>
    </div>
  )
}
