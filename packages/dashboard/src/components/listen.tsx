import { useEffect, useRef, useState } from 'react'
import type { InboundRequest, Trigger } from '../api-types.ts'
import { useSession } from '../session-context.ts'
import { InboundRequestView } from './inbound-request.tsx'
import { Button, Code, Empty } from './ui.tsx'

type ListenState = 'off' | 'connecting' | 'listening' | 'closed'

/**
 * Reads server-sent events from a fetch body: yields `{event, data}` per message; comment
 * lines (the server's keep-alives) are skipped.
 */
async function* serverSentEvents(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += decoder.decode(value, { stream: true })
    let end: number
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '')
      let event = 'message'
      const data: string[] = []
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim()
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
      }
      if (data.length > 0) yield { event, data: data.join('\n') }
    }
  }
}

/** "Listen for events": every request to the trigger as it arrives, judged and routed. */
export function ListenPanel({ trigger, onRequest }: { trigger: Trigger; onRequest?: () => void }) {
  const { api } = useSession()
  const [state, setState] = useState<ListenState>('off')
  const [error, setError] = useState<string | null>(null)
  const [requests, setRequests] = useState<InboundRequest[]>([])
  const abort = useRef<AbortController | null>(null)
  useEffect(() => () => abort.current?.abort(), [])

  const start = async () => {
    abort.current?.abort()
    const controller = new AbortController()
    abort.current = controller
    setError(null)
    setState('connecting')
    try {
      const response = await api.triggers.listen(trigger.id, controller.signal)
      if (!response.ok || !response.body) {
        const answer = (await response.json().catch(() => null)) as {
          error?: { message?: string }
        } | null
        throw new Error(answer?.error?.message ?? `The server answered ${response.status}.`)
      }
      for await (const message of serverSentEvents(response.body)) {
        if (message.event === 'ready') setState('listening')
        if (message.event !== 'request') continue
        const request = JSON.parse(message.data) as InboundRequest
        // A request comes once when judged and again when routed: the latest replaces it.
        setRequests((list) => [request, ...list.filter((r) => r.id !== request.id)].slice(0, 50))
        onRequest?.()
      }
      setState('closed')
    } catch (caught) {
      if (controller.signal.aborted) return
      setError(caught instanceof Error ? caught.message : String(caught))
      setState('closed')
    }
  }
  const stop = () => {
    abort.current?.abort()
    setState('off')
  }

  const sample = trigger.url.replace('{credentialId}', 'cred_1')
  return (
    <div className="listen" data-testid="listen">
      <div className="actions">
        {state === 'listening' || state === 'connecting' ? (
          <>
            <span className="live">
              <i className="live-dot" /> {state === 'listening' ? 'Listening…' : 'Connecting…'}
            </span>
            <Button variant="quiet" onClick={stop}>
              Stop
            </Button>
          </>
        ) : (
          <Button variant="primary" onClick={() => void start()}>
            {state === 'closed' ? 'Listen again' : 'Listen for events'}
          </Button>
        )}
      </div>
      {error ? <div className="note note-error">{error}</div> : null}
      {state !== 'off' && requests.length === 0 ? (
        <Empty title="Waiting for a request">
          <p>Point the provider at the trigger's URL, or send one yourself:</p>
          <Code>{`curl -X POST '${sample}' -H 'content-type: application/json' -d '{"hello": "world"}'`}</Code>
        </Empty>
      ) : null}
      <div className="attempts">
        {requests.map((request) => (
          <InboundRequestView key={request.id} request={request} />
        ))}
      </div>
    </div>
  )
}
