import type { Command } from 'commander'
import { connect, connectionOptions } from '../context.ts'
import { clock, note, paint, print, printJsonLine, statusColour } from '../output.ts'
import { subscribe } from '../sse.ts'

/** The fields of `GET /v1/inbound-requests/:id` a line shows. */
type InboundRequestView = {
  id: string
  method: string
  path: string
  outcome: string
  reason: string | null
  responseStatus: number | null
  eventIds: string[]
}

const goodOutcomes = new Set(['accepted', 'routed', 'handshake'])

/** `switchyard triggers listen <id>`: each request to a trigger as it is judged and routed. */
export function registerTriggers(program: Command, env: NodeJS.ProcessEnv): void {
  const triggers = program.command('triggers').description('Watch inbound triggers')
  connectionOptions(
    triggers
      .command('listen')
      .description('Print each request to a trigger as it is judged, and again when routed')
      .argument('<id>', 'trigger id')
      .option('--json', 'one JSON request per line')
      .addHelpText('after', '\nExample:\n  $ switchyard triggers listen 0192f0c4-…')
      .action(async (id: string, options: { json?: boolean }, command: Command) => {
        const { url, apiKey } = connect(command, env)
        const stream = subscribe({
          url: `${url}/v1/triggers/${encodeURIComponent(id)}/listen`,
          apiKey,
          onConnection: (state) =>
            note(state === 'lost' ? 'connection lost; reconnecting…' : 'reconnected'),
        })
        for await (const message of stream) {
          if (message.event === 'ready') note(`Listening to trigger ${id}; Ctrl-C to stop.`)
          if (message.event !== 'request') continue
          const request = JSON.parse(message.data) as InboundRequestView
          if (options.json) printJsonLine(request)
          else print(requestLine(request))
        }
      }),
  )
}

/** `14:05:09  POST /hooks/…  accepted 200  2 events  0192…` */
function requestLine(r: InboundRequestView): string {
  const status = r.responseStatus === null ? '' : ` ${r.responseStatus}`
  const events =
    r.eventIds.length > 0 ? `${r.eventIds.length} event${r.eventIds.length > 1 ? 's' : ''}` : ''
  return [
    paint('dim', clock()),
    `${r.method} ${r.path}`,
    statusColour(goodOutcomes.has(r.outcome), r.outcome + status),
    r.reason ?? '',
    events,
    r.id,
  ]
    .filter(Boolean)
    .join('  ')
}
