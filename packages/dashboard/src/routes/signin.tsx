import { useState, type FormEvent } from 'react'
import { BrandMark } from '../components/brand-mark.tsx'
import { Button } from '../components/ui.tsx'

/** The key form; a sign-in link (`/#key=…`) skips it. */
export function SignInPage(props: {
  error?: string
  onSignIn: (key: string) => void
  retry?: () => void
}) {
  const [key, setKey] = useState('')
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (key.trim()) props.onSignIn(key)
  }
  return (
    <div className="signin">
      <form className="signin-card" onSubmit={submit}>
        <div className="brand brand-large">
          <BrandMark size={28} />
          Switchyard
        </div>
        <h1>Sign in</h1>
        <p className="sub">
          Paste a project API key. <code>switchyard start</code> prints one the first time it runs,
          and keeps it in <code>.switchyard/credentials.json</code>.
        </p>
        {props.error ? (
          <div className="note note-error" role="alert">
            {props.error}
          </div>
        ) : null}
        <label className="field">
          <span>API key</span>
          <input
            name="apiKey"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="sy_…"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            autoFocus
          />
        </label>
        <Button type="submit" variant="primary" disabled={!key.trim()}>
          Sign in
        </Button>
        {props.retry ? (
          <Button variant="quiet" onClick={props.retry}>
            Try the saved key again
          </Button>
        ) : null}
        <p className="fine">
          The key is kept in this tab only (session storage) and is gone when the tab closes.
        </p>
      </form>
    </div>
  )
}
