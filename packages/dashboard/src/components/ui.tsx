import { useState, type ButtonHTMLAttributes, type ReactNode } from 'react'
import { errorMessage } from '../api.ts'
import { fullTime, prettyJson, relativeTime } from '../format.ts'
import { useTick } from '../hooks.ts'
import { needsAdmin, useSession } from '../session-context.ts'

type Variant = 'primary' | 'default' | 'danger' | 'quiet'

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant
  busy?: boolean
}

export function Button({ variant = 'default', busy, children, className, ...rest }: ButtonProps) {
  return (
    <button
      type="button"
      {...rest}
      disabled={rest.disabled || busy}
      className={`btn btn-${variant} ${busy ? 'is-busy' : ''} ${className ?? ''}`}
    >
      {children}
    </button>
  )
}

/** A button that needs the admin role: disabled, with the reason as a tooltip, for other keys. */
export function AdminButton(props: ButtonProps) {
  const { role } = useSession()
  if (role === 'admin') return <Button {...props} />
  return (
    <span className="tooltip" data-tooltip={needsAdmin} title={needsAdmin}>
      <Button {...props} disabled aria-disabled="true" />
    </span>
  )
}

/** A coloured label: `good`, `bad`, `warn`, `muted` or `info`. */
export function Pill({
  tone,
  children,
  title,
}: {
  tone: Tone
  children: ReactNode
  title?: string
}) {
  return (
    <span className={`pill pill-${tone}`} title={title}>
      {children}
    </span>
  )
}
export type Tone = 'good' | 'bad' | 'warn' | 'muted' | 'info'

export function ErrorNote({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null
  return (
    <div className="note note-error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {errorMessage(error)}
    </div>
  )
}

/** What an empty list says: what to do next, often with the call that does it. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  )
}

/** A relative time that keeps itself current, with the exact time on hover. */
export function Time({ at }: { at: string | null | undefined }) {
  useTick(15_000)
  if (!at) return <span className="muted">–</span>
  return (
    <time dateTime={at} title={fullTime(at)}>
      {relativeTime(at)}
    </time>
  )
}

export function Json({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre className="code" aria-label={label}>
      {prettyJson(value)}
    </pre>
  )
}

export function Code({ children }: { children: string }) {
  const [copied, setCopied] = useState(false)
  const copy = () => {
    void navigator.clipboard?.writeText(children).then(() => setCopied(true))
    window.setTimeout(() => setCopied(false), 1500)
  }
  return (
    <div className="code-wrap">
      <pre className="code">{children}</pre>
      <button type="button" className="copy" onClick={copy}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  )
}

/** A labelled stack of key/value rows. */
export function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {rows.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value ?? <span className="muted">–</span>}</dd>
        </div>
      ))}
    </dl>
  )
}

export function Card({
  title,
  actions,
  children,
  className,
}: {
  title?: ReactNode
  actions?: ReactNode
  children: ReactNode
  className?: string
}) {
  return (
    <section className={`card ${className ?? ''}`}>
      {title || actions ? (
        <header className="card-head">
          {title ? <h2>{title}</h2> : <span />}
          {actions ? <div className="actions">{actions}</div> : null}
        </header>
      ) : null}
      {children}
    </section>
  )
}

export function PageHead({
  title,
  sub,
  actions,
}: {
  title: ReactNode
  sub?: ReactNode
  actions?: ReactNode
}) {
  return (
    <header className="page-head">
      <div>
        <h1>{title}</h1>
        {sub ? <p className="sub">{sub}</p> : null}
      </div>
      {actions ? <div className="actions">{actions}</div> : null}
    </header>
  )
}
