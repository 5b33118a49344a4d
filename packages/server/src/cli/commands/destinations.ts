import type { DestinationOut, WireFormat } from '@switchyard/sdk'
import { InvalidArgumentError, Option, type Command } from 'commander'
import { wireFormats } from '../../catalog/index.ts'
import { connect, connectionOptions, type Connection } from '../context.ts'
import { exitCodes } from '../errors.ts'
import { paint, print, printFields, printJson, printTable, statusColour } from '../output.ts'
import { listOption } from '../stream.ts'
import { attemptError } from './deliveries.ts'

/** `switchyard destinations ls|create|test|enable|disable`. */
export function registerDestinations(program: Command, env: NodeJS.ProcessEnv): void {
  const destinations = program.command('destinations').description('Manage webhook destinations')

  connectionOptions(
    destinations
      .command('ls')
      .description('List destinations, newest first')
      .option('--json', 'print a JSON array')
      .action((options: { json?: boolean }, command: Command) =>
        list(connect(command, env), options),
      ),
  )

  connectionOptions(
    destinations
      .command('create')
      .description('Create a webhook destination and print its signing secret (shown once)')
      .requiredOption('--url <url>', 'where to POST events (http or https)')
      .requiredOption('--events <names>', 'comma-separated event names, or * for all')
      .addOption(
        new Option('--format <format>', 'wire format of the body')
          .choices(wireFormats)
          .default('standard'),
      )
      .option('--header <name:value>', 'a custom request header (repeatable)', collectHeader)
      .option('--name <name>', 'a label for people')
      .option('--json', 'print JSON (with the secret)')
      .addHelpText(
        'after',
        `
Here --url is the destination's; give the server's with SWITCHYARD_URL or before the command
(switchyard --url http://host:8787 destinations create --url …).

Example:
  $ switchyard destinations create --url https://example.com/webhooks \\
      --events record.created,record.deleted --header 'X-Team: search'`,
      )
      .action((options: CreateOptions, command: Command) => create(connect(command, env), options)),
    { url: false },
  )

  connectionOptions(
    destinations
      .command('test')
      .description('Send a webhook.test event now and print the attempt (exit 1 when it fails)')
      .argument('<id>', 'destination id')
      .option('--json', 'print JSON')
      .action((id: string, options: { json?: boolean }, command: Command) =>
        test(connect(command, env), id, options),
      ),
  )

  for (const action of ['enable', 'disable'] as const) {
    const sub = destinations
      .command(action)
      .description(
        action === 'enable'
          ? 'Enable a destination; its held deliveries are sent now'
          : 'Disable a destination; its deliveries are held until it is enabled',
      )
      .argument('<id>', 'destination id')
      .option('--json', 'print JSON')
    if (action === 'disable') sub.option('--reason <text>', 'why, shown on the destination')
    sub.action(
      async (id: string, options: { json?: boolean; reason?: string }, command: Command) => {
        const { client } = connect(command, env)
        const d = await (action === 'enable'
          ? client.destinations.enable(id)
          : client.destinations.disable(
              id,
              options.reason ? { reason: options.reason } : undefined,
            ))
        if (options.json) return printJson(d)
        print(`${d.id} ${state(d)}`)
      },
    )
    connectionOptions(sub)
  }
}

async function list({ client }: Connection, options: { json?: boolean }): Promise<void> {
  const rows: DestinationOut[] = []
  for await (const d of client.destinations.iterate({ limit: 500 })) rows.push(d)
  if (options.json) return printJson(rows)
  if (rows.length === 0)
    return print('No destinations; create one with `switchyard destinations create`.')
  printTable(
    ['ID', 'TYPE', 'TARGET', 'FORMAT', 'EVENTS', 'STATE', 'FAILURES'],
    rows.map((d) => [
      d.id,
      d.type ?? 'webhook',
      d.url ?? d.to?.join(',') ?? '-',
      d.format,
      d.events.join(','),
      state(d),
      String(d.consecutiveFailures),
    ]),
  )
}

async function create({ client }: Connection, options: CreateOptions): Promise<void> {
  const created = await client.destinations.create({
    url: options.url,
    events: listOption(options.events) ?? [],
    format: options.format,
    headers: options.header ?? {},
    ...(options.name ? { name: options.name } : {}),
  })
  if (options.json) return printJson(created)
  printFields([
    ['Created', `${created.id} → ${created.url}`],
    ['Events', created.events.join(', ')],
    ['Format', created.format],
    ['Secret', `${paint('bold', created.secret ?? '')}   (shown once: verify webhooks with it)`],
  ])
}

/** Exits 1 (after printing the attempt) when the destination did not take the test event. */
async function test({ client }: Connection, id: string, options: { json?: boolean }) {
  const attempt = await client.destinations.test(id)
  if (attempt.outcome !== 'delivered') process.exitCode = exitCodes.error
  if (options.json) return printJson(attempt)
  const status = attempt.status === null ? '' : ` ${attempt.status}`
  const error = attemptError(attempt)
  print(
    `${statusColour(attempt.outcome === 'delivered', attempt.outcome + status)} in ${attempt.durationMs} ms` +
      `  webhook-id ${attempt.webhookId}${error ? `  ${error}` : ''}`,
  )
}

interface CreateOptions {
  url: string
  events: string
  /** One of `wireFormats` (the option's choices). */
  format: WireFormat
  header?: Record<string, string>
  name?: string
  json?: boolean
}

function state(d: DestinationOut): string {
  if (d.enabled) return paint('green', 'enabled')
  return paint('red', `disabled${d.disabledReason ? ` (${d.disabledReason})` : ''}`)
}

/** `--header 'X-Team: search'`, repeatable, into one object. */
function collectHeader(
  value: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const colon = value.indexOf(':')
  const name = value.slice(0, colon).trim()
  if (colon < 1 || name === '')
    throw new InvalidArgumentError('Expected name:value, e.g. "X-Team: search".')
  return { ...previous, [name]: value.slice(colon + 1).trim() }
}
