import type { Attempt } from '../api-types.ts'
import { duration, fullTime, prettyJson } from '../format.ts'
import { Pill, type Tone } from './ui.tsx'

const outcomeTone: Record<Attempt['outcome'], Tone> = {
  delivered: 'good',
  failed: 'bad',
  gone: 'bad',
}

const errorClassHelp: Record<string, string> = {
  timeout: 'The receiver did not answer before the timeout.',
  dns: 'The host name did not resolve.',
  connect: 'The connection was refused or could not be opened (or the address is not allowed).',
  tls: 'The TLS handshake failed (certificate or protocol).',
  http_status: 'The receiver answered, but not with a 2xx.',
  smtp_status: 'The mail server refused the message (its reply code is the status).',
}

/**
 * One HTTP request of a delivery (or a test): what was sent, what came back, how long it took.
 * `open` shows the headers without a click (the form's preview).
 */
export function AttemptView({
  attempt,
  title,
  open,
}: {
  /** A test's result has no id or number: it is not stored. */
  attempt: Omit<Attempt, 'id' | 'number'> & { number?: number }
  title?: string
  open?: boolean
}) {
  return (
    <article className={`attempt attempt-${attempt.outcome}`} data-testid="attempt">
      <header className="attempt-head">
        <strong>{title ?? `Attempt ${attempt.number ?? ''}`}</strong>
        <Pill tone={outcomeTone[attempt.outcome]}>{attempt.outcome}</Pill>
        {attempt.status ? <span className="mono">HTTP {attempt.status}</span> : null}
        {attempt.errorClass ? (
          <span className="tag" title={errorClassHelp[attempt.errorClass]}>
            {attempt.errorClass}
          </span>
        ) : null}
        <span className="muted">{duration(attempt.durationMs)}</span>
        <span className="muted grow-left" title={attempt.startedAt}>
          {fullTime(attempt.startedAt)}
        </span>
      </header>
      {attempt.url ? (
        <p className="mono small request-line" data-testid="attempt-url">
          <strong>POST</strong> {attempt.url}
        </p>
      ) : null}
      {attempt.errorMessage && attempt.errorMessage !== `HTTP ${attempt.status}` ? (
        <p className="attempt-error">{attempt.errorMessage}</p>
      ) : null}
      {attempt.requestBody ? (
        <div>
          <div className="label">Request body sent</div>
          <pre className="code small">{prettyJson(attempt.requestBody)}</pre>
        </div>
      ) : null}
      {attempt.responseBody ? (
        <div>
          <div className="label">Response body (first 4 KiB)</div>
          <pre className="code small">{prettyJson(attempt.responseBody)}</pre>
        </div>
      ) : null}
      <details open={open}>
        <summary>Headers</summary>
        <div className="two-col">
          <HeaderTable title="Request headers sent" headers={attempt.requestHeaders} />
          <HeaderTable title="Response headers" headers={attempt.responseHeaders ?? undefined} />
        </div>
      </details>
    </article>
  )
}

export function HeaderTable({
  title,
  headers,
}: {
  title: string
  headers: Record<string, string> | undefined
}) {
  const entries = Object.entries(headers ?? {})
  return (
    <div>
      <div className="label">{title}</div>
      {entries.length === 0 ? (
        <p className="muted small">none</p>
      ) : (
        <table className="headers">
          <tbody>
            {entries.map(([name, value]) => (
              <tr key={name}>
                <th>{name}</th>
                <td className="mono">{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
