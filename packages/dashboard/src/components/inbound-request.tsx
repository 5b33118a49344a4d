import type { InboundOutcome, InboundRequest } from '../api-types.ts'
import { fullTime, prettyJson } from '../format.ts'
import { Link } from '../router.tsx'
import { AdminButton, Pill, type Tone } from './ui.tsx'

const outcomeTone: Record<InboundOutcome, Tone> = {
  received: 'info',
  accepted: 'info',
  handshake: 'muted',
  routed: 'good',
  unrouted: 'warn',
  held: 'warn',
  rejected: 'bad',
  error: 'bad',
  failed: 'bad',
}

const outcomeHelp: Record<InboundOutcome, string> = {
  received: 'Stored; not judged yet.',
  handshake: 'A provider handshake (URL verification): answered, not routed.',
  rejected: 'Verification failed: answered with an error and not routed.',
  error: 'The trigger failed while handling it.',
  accepted: 'Verified and answered; routing to credentials next.',
  routed: 'Delivered as trigger.received to the matching credentials.',
  unrouted: 'Verified, but no credential matched the routing value.',
  held: 'Waiting for an INVALID credential to be VALID again (the trigger holds them).',
  failed:
    'Could not be routed after every retry (announced as trigger.failed): replay it once fixed.',
}

/** The outcomes `POST /v1/inbound-requests/:id/replay` routes again. */
export const replayable: ReadonlySet<InboundOutcome> = new Set(['routed', 'unrouted', 'failed'])

/**
 * One request a trigger received: how it was judged, where it went, and what it carried; with
 * `onReplay`, a Replay button on the requests the API routes again.
 */
export function InboundRequestView({
  request,
  onReplay,
  replaying,
}: {
  request: InboundRequest
  onReplay?: (id: string) => void
  replaying?: boolean
}) {
  const target = (request.path ?? '') + (request.query ? `?${request.query}` : '')
  return (
    <article className={`attempt inbound-${request.outcome}`} data-testid="inbound-request">
      <header className="attempt-head">
        <Pill tone={outcomeTone[request.outcome]} title={outcomeHelp[request.outcome]}>
          {request.outcome}
        </Pill>
        <span className="mono small">
          <strong>{request.method}</strong> {target}
        </span>
        {request.responseStatus ? <span className="mono">→ {request.responseStatus}</span> : null}
        <span className="muted grow-left">{fullTime(request.receivedAt)}</span>
        {onReplay && replayable.has(request.outcome) ? (
          <AdminButton busy={replaying} onClick={() => onReplay(request.id)}>
            Replay
          </AdminButton>
        ) : null}
      </header>
      {request.reason ? <p className="attempt-error">{request.reason}</p> : null}
      {request.credentialIds && request.credentialIds.length > 0 ? (
        <p className="small">
          Routed to <span className="mono">{request.credentialIds.join(', ')}</span>
          {request.eventIds?.map((id) => (
            <Link key={id} to={`/events/${id}`} className="tag">
              event {id.slice(0, 8)}
            </Link>
          ))}
        </p>
      ) : null}
      <details>
        <summary>
          Headers and body <span className="muted">({request.bodySize ?? 0} bytes)</span>
        </summary>
        <div className="two-col">
          <div>
            <div className="label">Headers</div>
            <pre className="code small">{prettyJson(request.headers ?? {})}</pre>
          </div>
          <div>
            <div className="label">Body</div>
            <pre className="code small">{request.body ? prettyJson(request.body) : '(empty)'}</pre>
          </div>
        </div>
      </details>
    </article>
  )
}
