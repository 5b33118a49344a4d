import type { Command } from 'commander'
import type { EventOut } from '@switchyard/sdk'
import { connect, connectionOptions } from '../context.ts'
import { clock, note, paint, print, printJsonLine } from '../output.ts'
import { followEvents, listOption } from '../stream.ts'

/** `switchyard events tail`: the project's events as they are accepted. */
export function registerEvents(program: Command, env: NodeJS.ProcessEnv): void {
  const events = program.command('events').description('Follow published events')
  connectionOptions(
    events
      .command('tail')
      .description('Print each event of the project as it is published, until stopped')
      .option(
        '--types <names>',
        'only these types, comma-separated (canonical or wire-format names)',
      )
      .option('--json', 'one JSON event per line')
      .addHelpText(
        'after',
        `
Examples:
  $ switchyard events tail
  $ switchyard events tail --types record.created,record.deleted
  $ switchyard events tail --json | jq .data`,
      )
      .action(async (options: { types?: string; json?: boolean }, command: Command) => {
        const connection = connect(command, env)
        await followEvents(connection, listOption(options.types), {
          onReady: ({ project }) =>
            note(`Following events of ${project.name} (${project.id}); Ctrl-C to stop.`),
          onEvent: (event) => (options.json ? printJsonLine(event) : print(eventLine(event))),
        })
      }),
  )
}

/** `14:05:09  record.created  0192…  user=u1 googledrive  {"recordId":"r1"}` */
export function eventLine(event: EventOut): string {
  const about = [
    event.userId ? `user=${event.userId}` : '',
    event.credentialId ? `credential=${event.credentialId}` : '',
    event.integration ?? '',
  ].filter(Boolean)
  return [
    paint('dim', clock(new Date(event.receivedAt))),
    paint('cyan', event.type),
    event.id,
    ...about,
    JSON.stringify(event.data),
  ].join('  ')
}
