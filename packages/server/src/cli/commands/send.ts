import fs from 'node:fs/promises'
import type { Command } from 'commander'
import { connect, connectionOptions } from '../context.ts'
import { CliError } from '../errors.ts'
import { paint, print, printJson } from '../output.ts'
import { readStdin } from '../stdin.ts'

interface SendOptions {
  data: string
  userId?: string
  credentialId?: string
  integration?: string
  occurredAt?: string
  idempotencyKey?: string
  json?: boolean
}

/** `switchyard send <type> --data <json|@file>`: publishes one event (`POST /v1/events`). */
export function registerSend(program: Command, env: NodeJS.ProcessEnv): void {
  connectionOptions(
    program
      .command('send')
      .description('Publish an event')
      .argument(
        '<type>',
        'canonical event type, e.g. record.created (GET /v1/event-types lists them)',
      )
      .option('--data <json|@file>', "the event's data: JSON, @file, or @- for stdin", '{}')
      .option('--user-id <id>', 'the connected user the event is about')
      .option('--credential-id <id>', 'the credential the event is about')
      .option('--integration <name>', 'the integration, e.g. googledrive')
      .option('--occurred-at <time>', 'when it happened (ISO 8601; default now)')
      .option('--idempotency-key <key>', 'send again with the same key to publish once')
      .option('--json', 'print the stored event as JSON')
      .addHelpText(
        'after',
        `
Examples:
  $ switchyard send webhook.test
  $ switchyard send record.created --user-id user_1 \\
      --data '{"syncId":"s1","model":"files","recordId":"r1"}'
  $ switchyard send record.updated --data @event-data.json --idempotency-key import-42`,
      )
      .action(async (type: string, options: SendOptions, command: Command) => {
        const { client } = connect(command, env)
        const data = await readData(options.data)
        const event = await client.events.create(
          {
            type,
            data,
            userId: options.userId,
            credentialId: options.credentialId,
            integration: options.integration,
            occurredAt: options.occurredAt,
          } as Parameters<typeof client.events.create>[0],
          { idempotencyKey: options.idempotencyKey },
        )
        if (options.json) return printJson(event)
        print(`${paint('green', 'accepted')}  ${event.type}  ${event.id}`)
      }),
  )
}

/** `--data`: inline JSON, `@path`, or `@-` (stdin); it must be a JSON object. */
async function readData(value: string): Promise<Record<string, unknown>> {
  let text = value
  if (value.startsWith('@')) {
    const file = value.slice(1)
    try {
      text =
        file === '-'
          ? (await readStdin('… --data @- < data.json')).toString('utf8')
          : await fs.readFile(file, 'utf8')
    } catch (error) {
      throw new CliError('invalid_data', `cannot read ${file}: ${(error as Error).message}`)
    }
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new CliError('invalid_data', `--data is not JSON: ${(error as Error).message}`)
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new CliError('invalid_data', '--data must be a JSON object, e.g. {"recordId":"r1"}.')
  return data as Record<string, unknown>
}
