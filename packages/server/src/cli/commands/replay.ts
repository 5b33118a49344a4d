import type { DeliveryOut, DeliverySummaryOut, SwitchyardClient } from '@switchyard/sdk'
import type { Command } from 'commander'
import { connect, connectionOptions, type Connection } from '../context.ts'
import { count, note, print, printJson } from '../output.ts'
import { createProgress } from '../progress.ts'
import { parseTime } from '../time.ts'

interface ReplayOptions {
  destination: string
  since: Date
  until?: Date
  wait: boolean
  json?: boolean
}

/** How the replayed deliveries ended (or stand, for those still retrying or held). */
interface Summary {
  destinationId: string
  requeued: number
  succeeded: number
  failed: number
  /** Tried again and failed, with retries left on the schedule. */
  pending: number
  /** Waiting for the destination to be enabled. */
  held: number
}

// Poll no more often than this, and leave the server three times as long as a poll took: with
// thousands pending, each poll pages through them all (an embedded store serves one query at
// a time, so polling flat out would slow the very sends it watches).
const minPollMs = 500
const stallWarningMs = 30_000

/**
 * `switchyard replay --destination <id> --since <time>`: sends again the destination's failed
 * deliveries (`POST /v1/destinations/:id/recover`), then follows them until each has been
 * tried, with progress on stderr and the summary on stdout.
 */
export function registerReplay(program: Command, env: NodeJS.ProcessEnv): void {
  connectionOptions(
    program
      .command('replay')
      .description("Send a destination's failed deliveries again and follow them to a summary")
      .requiredOption('--destination <id>', 'destination id')
      .requiredOption(
        '--since <time>',
        'failed deliveries created since: ISO 8601 or 2h, 7d…',
        (v) => parseTime(v),
      )
      .option('--until <time>', '…and before this time', (v) => parseTime(v))
      .option('--no-wait', 'requeue and exit without following the deliveries')
      .option('--json', 'print the summary as JSON')
      .addHelpText(
        'after',
        `
Progress goes to stderr (a bar on a terminal, a line a second otherwise), the summary to stdout.

Examples:
  $ switchyard replay --destination 0192f0c4-… --since 2h
  $ switchyard replay --destination 0192f0c4-… --since 2025-01-31T09:00:00Z --json`,
      )
      .action((options: ReplayOptions, command: Command) => replay(connect(command, env), options)),
  )
}

async function replay({ client }: Connection, options: ReplayOptions): Promise<void> {
  const destination = await client.destinations.get(options.destination)
  const window = {
    destinationId: destination.id,
    since: options.since.toISOString(),
    until: options.until?.toISOString(),
  }
  // Which deliveries the replay covers, and when each was last tried: one that has left
  // `pending`, or is pending after a later finished attempt (a retry is scheduled), is done.
  // (Not the attempt count: it goes up when a send starts, not when it ends.)
  const tracked = new Map<string, string | null>()
  for (const d of await listAll(client, { ...window, status: 'failed' }))
    tracked.set(d.id, d.lastAttemptAt ?? null)
  const { requeued } = await client.destinations.recover(destination.id, {
    since: window.since,
    ...(window.until ? { until: window.until } : {}),
  })
  const url = destination.url ?? destination.id
  if (requeued === 0 || !destination.enabled || !options.wait)
    return printRequeued(
      {
        destinationId: destination.id,
        requeued,
        enabled: destination.enabled,
        url,
        since: window.since,
      },
      options,
    )
  note(`Requeued ${count(requeued)} failed deliveries to ${url}.`)
  process.once('SIGINT', () => {
    note('\nStopped following; the server goes on sending the requeued deliveries.')
    process.exit(130)
  })
  await follow(client, window, tracked)
  const summary = { requeued, ...(await settle(client, window, tracked)) }
  if (options.json) return printJson(summary)
  print(summaryLine(summary, url))
}

/** When there is nothing to follow: none requeued, the destination holds them, or --no-wait. */
function printRequeued(
  r: { destinationId: string; requeued: number; enabled: boolean; url: string; since: string },
  options: { json?: boolean },
): void {
  const held = r.enabled ? 0 : r.requeued
  if (options.json) return printJson({ destinationId: r.destinationId, requeued: r.requeued, held })
  if (r.requeued === 0)
    return print(`Nothing to replay: no failed deliveries to ${r.url} since ${r.since}.`)
  if (held > 0)
    return print(
      `Requeued ${count(held)} deliveries to ${r.url}; held: the destination is disabled.`,
    )
  print(`Requeued ${count(r.requeued)} deliveries to ${r.url}.`)
}

type Window = { destinationId: string; since: string; until: string | undefined }

/** Polls until every tracked delivery has been tried again, drawing the progress. */
async function follow(
  client: SwitchyardClient,
  window: Window,
  tracked: Map<string, string | null>,
): Promise<void> {
  const progress = createProgress('replay', tracked.size)
  let done = 0
  let lastChange = Date.now()
  let warned = false
  for (;;) {
    const started = Date.now()
    const pending = await listAll(client, { ...window, status: 'pending' })
    const waiting = pending.filter(
      (d) => tracked.has(d.id) && tracked.get(d.id) === d.lastAttemptAt,
    ).length
    if (tracked.size - waiting !== done) lastChange = Date.now()
    done = tracked.size - waiting
    if (waiting === 0) break
    progress.update(done)
    if (!warned && Date.now() - lastChange > stallWarningMs) {
      warned = true
      note(`\nNo progress for ${stallWarningMs / 1000} s: is a worker running (SWITCHYARD_ROLE)?`)
    }
    await sleep(Math.max(minPollMs, 3 * (Date.now() - started)))
  }
  progress.finish(done)
}

/** Counts the tracked deliveries by where they ended. */
async function settle(
  client: SwitchyardClient,
  window: Window,
  tracked: Map<string, string | null>,
): Promise<Omit<Summary, 'requeued'>> {
  const countOf = async (status: DeliveryOut['status']) =>
    (await listAll(client, { ...window, status })).filter((d) => tracked.has(d.id)).length
  const [failed, pending, held] = [
    await countOf('failed'),
    await countOf('pending'),
    await countOf('held'),
  ]
  return {
    destinationId: window.destinationId,
    succeeded: tracked.size - failed - pending - held,
    failed,
    pending,
    held,
  }
}

function summaryLine(s: Summary, url: string): string {
  const parts = [`${count(s.succeeded)} succeeded`, `${count(s.failed)} failed`]
  parts.push(`${count(s.pending)} pending${s.pending > 0 ? ' (retrying on schedule)' : ''}`)
  if (s.held > 0) parts.push(`${count(s.held)} held (destination disabled)`)
  return `Replayed ${count(s.requeued)} deliveries to ${url}: ${parts.join(', ')}.`
}

/** Every delivery matching the query, 500 a page. */
async function listAll(
  client: SwitchyardClient,
  query: Window & { status: DeliveryOut['status'] },
): Promise<DeliverySummaryOut[]> {
  const rows: DeliverySummaryOut[] = []
  for await (const d of client.deliveries.iterate({ ...query, limit: 500 })) rows.push(d)
  return rows
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
