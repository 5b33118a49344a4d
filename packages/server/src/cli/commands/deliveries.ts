import { InvalidArgumentError, Option, type Command } from 'commander'
import type { AttemptOut, DeliveryOut, DeliverySummaryOut } from '@switchyard/sdk'
import { connect, connectionOptions, type Connection } from '../context.ts'
import {
  dateTime,
  paint,
  print,
  printFields,
  printJson,
  printTable,
  statusColour,
} from '../output.ts'
// delivery/index.ts loads the dispatcher (6x the import time of this file) on every CLI start;
// the CLI needs only the API's list.
// eslint-disable-next-line house/feature-boundaries
import { deliveryStatuses } from '../../delivery/schemas.ts'

// The API's own list, so a status the API gains is one --status accepts.
type DeliveryStatus = (typeof deliveryStatuses)[number]

/** `switchyard deliveries ls|show|retry`: each event's sends to each destination. */
export function registerDeliveries(program: Command, env: NodeJS.ProcessEnv): void {
  const deliveries = program.command('deliveries').description('Inspect and retry deliveries')

  connectionOptions(
    deliveries
      .command('ls')
      .description('List deliveries, newest first')
      .option('--destination <id>', 'only this destination')
      .option('--event <id>', 'only this event')
      .addOption(new Option('--status <status>', 'only this status').choices([...deliveryStatuses]))
      .option('--limit <n>', 'how many', positiveInteger, 20)
      .option('--json', 'print a JSON array')
      .addHelpText('after', '\nExample:\n  $ switchyard deliveries ls --status failed --limit 100')
      .action((options: ListOptions, command: Command) => list(connect(command, env), options)),
  )

  connectionOptions(
    deliveries
      .command('show')
      .description('Show a delivery with every attempt')
      .argument('<id>', 'delivery id')
      .option('--json', 'print JSON')
      .action(async (id: string, options: { json?: boolean }, command: Command) => {
        const { client } = connect(command, env)
        const delivery = await client.deliveries.get(id)
        if (options.json) return printJson(delivery)
        printDelivery(delivery)
      }),
  )

  connectionOptions(
    deliveries
      .command('retry')
      .description('Send a delivery again now, whatever its status (same webhook-id)')
      .argument('<id>', 'delivery id')
      .option('--json', 'print JSON')
      .action(async (id: string, options: { json?: boolean }, command: Command) => {
        const { client } = connect(command, env)
        const delivery = await client.deliveries.retry(id)
        if (options.json) return printJson(delivery)
        print(
          `Retrying ${delivery.id}: ${delivery.status}, attempt ${delivery.attemptCount + 1} next.`,
        )
      }),
  )
}

async function list({ client }: Connection, options: ListOptions): Promise<void> {
  const rows: DeliverySummaryOut[] = []
  const pages = client.deliveries.iterate({
    destinationId: options.destination,
    eventId: options.event,
    status: options.status,
    limit: Math.min(options.limit, 500),
  })
  for await (const delivery of pages) {
    rows.push(delivery)
    if (rows.length >= options.limit) break
  }
  if (options.json) return printJson(rows)
  if (rows.length === 0) return print('No deliveries.')
  printTable(
    ['ID', 'STATUS', 'EVENT TYPE', 'DESTINATION', 'ATTEMPTS', 'LAST RESULT', 'CREATED'],
    rows.map((d) => [
      d.id,
      statusText(d.status),
      d.eventType,
      d.destinationId,
      String(d.attemptCount),
      lastResult(d),
      dateTime(d.createdAt),
    ]),
  )
}

interface ListOptions {
  destination?: string
  event?: string
  status?: DeliveryStatus
  limit: number
  json?: boolean
}

function printDelivery(d: DeliveryOut): void {
  printFields([
    ['Delivery', d.id],
    ['Status', statusText(d.status)],
    ['Event', `${d.eventType} ${d.eventId}`],
    ['Destination', d.destinationId],
    ['Created', dateTime(d.createdAt)],
    ['Next attempt', dateTime(d.nextAttemptAt)],
    ['Completed', dateTime(d.completedAt)],
    ...(d.coalescedInto ? [['Coalesced into', d.coalescedInto] as [string, string]] : []),
  ])
  const attempts = d.attempts ?? []
  print()
  if (attempts.length === 0) return print('No attempts yet.')
  printTable(
    ['#', 'STARTED', 'OUTCOME', 'STATUS', 'DURATION', 'ERROR'],
    attempts.map((a, i) => [
      String(a.number ?? i + 1),
      dateTime(a.startedAt),
      statusColour(a.outcome === 'delivered', a.outcome),
      a.status === null ? '-' : String(a.status),
      `${a.durationMs} ms`,
      attemptError(a),
    ]),
  )
}

function statusText(status: DeliveryOut['status']): string {
  const style = {
    succeeded: 'green',
    failed: 'red',
    pending: 'yellow',
    held: 'gray',
    coalesced: 'gray',
  } as const
  return paint(style[status] ?? 'reset', status)
}

function lastResult(d: DeliverySummaryOut): string {
  if (d.lastStatus !== null) return String(d.lastStatus)
  return d.lastError ?? '-'
}

/** `timeout: no answer within 15 s` */
export function attemptError(a: Pick<AttemptOut, 'errorClass' | 'errorMessage'>): string {
  if (!a.errorClass && !a.errorMessage) return ''
  return [a.errorClass, a.errorMessage].filter(Boolean).join(': ')
}

/** Commander argument parser for counts. */
export function positiveInteger(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('Expected a positive integer.')
  return n
}
