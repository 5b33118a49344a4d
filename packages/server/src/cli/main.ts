import { Command, Option } from 'commander'
import { loadConfig, parsePort, parseRole, type Config } from '../config.ts'
import { version } from '../version.ts'
import { registerDeliveries } from './commands/deliveries.ts'
import { registerDestinations } from './commands/destinations.ts'
import { registerEvents } from './commands/events.ts'
import { registerListen } from './commands/listen.ts'
import { registerReplay } from './commands/replay.ts'
import { registerSecrets } from './commands/secrets.ts'
import { registerSend } from './commands/send.ts'
import { registerTriggers } from './commands/triggers.ts'
import { registerVerify } from './commands/verify.ts'
import { urlHelp } from './context.ts'
import { exitCodes, formatError } from './errors.ts'

/** Flags mirror the environment variables; a flag wins over its variable. */
function configFrom(
  options: {
    port?: string
    dataDir?: string
    role?: string
    host?: string
  },
  load: { localDevelopment?: boolean } = {},
): Readonly<Config> {
  const overrides: Partial<Config> = {}
  if (options.port !== undefined) overrides.port = parsePort(options.port, '--port')
  if (options.dataDir !== undefined) overrides.dataDir = options.dataDir
  if (options.host !== undefined) overrides.host = options.host
  if (options.role !== undefined) overrides.role = parseRole(options.role, '--role')
  return loadConfig(process.env, overrides, load)
}

const program = new Command()
  .name('switchyard')
  .description(
    'Self-hostable webhook engine: outbound delivery, sync change feed, inbound triggers.',
  )
  .version(version)
  // Options before the command name are the program's, so `destinations create --url` can
  // mean the destination's URL; API commands take --url and --api-key after their name too.
  .enablePositionalOptions()
  .option('--url <url>', urlHelp)
  .option(
    '--api-key <key>',
    'a project API key (SWITCHYARD_API_KEY, else .switchyard/credentials.json)',
  )
  // Usage errors print as one line, like every other error.
  .configureOutput({
    outputError: (text, write) =>
      write(`switchyard: usage: ${text.replace(/^error: /, '').trim()} (see --help)\n`),
  })
  .addHelpText(
    'after',
    `
Environment:
  SWITCHYARD_URL        the server's URL for API commands (--url); else the apiUrl of
                        $SWITCHYARD_DATA_DIR/credentials.json, else http://localhost:8787
  SWITCHYARD_API_KEY    a project API key (--api-key); else the apiKey of
                        $SWITCHYARD_DATA_DIR/credentials.json (default ./.switchyard)
  SWITCHYARD_DATA_DIR   the engine's data dir (--data-dir), where \`start\` writes credentials.json
  DATABASE_URL, SWITCHYARD_PORT, …   configure \`start\` (see the README)

Exit codes:
  0  done
  1  the API refused, the server is unreachable, or the command line is wrong
  2  \`verify\`: the request does not verify

Examples:
  $ switchyard start
  $ switchyard send webhook.test
  $ switchyard listen --forward-to http://localhost:3000/webhooks
  $ switchyard deliveries ls --status failed --json
  $ switchyard secrets rotate-key`,
  )

program
  .command('start')
  .description(
    'Run the engine: API, inbound receiver, dashboard and worker (embedded PGlite unless DATABASE_URL is set)',
  )
  .option('-p, --port <port>', 'HTTP port (SWITCHYARD_PORT, default 8787)')
  .option('--host <host>', 'address to listen on (SWITCHYARD_HOST, default 127.0.0.1)')
  .option(
    '-d, --data-dir <dir>',
    'embedded store directory (SWITCHYARD_DATA_DIR, default ./.switchyard)',
  )
  .addOption(
    new Option('--role <role>', 'what this process runs (SWITCHYARD_ROLE)').choices([
      'api',
      'worker',
      'all',
    ]),
  )
  .action(async (options) => {
    // Loaded on use: the engine is most of the CLI's start-up time, and API commands skip it.
    const { runStart } = await import('./start.ts')
    await runStart(configFrom(options, { localDevelopment: true }))
  })

program
  .command('migrate')
  .description('Apply pending database migrations and exit')
  .option('-d, --data-dir <dir>', 'embedded store directory (SWITCHYARD_DATA_DIR)')
  .action(async (options) => {
    const config = configFrom(options)
    const { checkConfig } = await import('./preflight.ts')
    await checkConfig(config, { needsSecretKey: false })
    const { migrate, openDb } = await import('../store/index.ts')
    const db = await openDb(config)
    try {
      const applied = await migrate(db)
      process.stdout.write(
        applied.length ? `applied migrations ${applied.join(', ')}\n` : 'schema is up to date\n',
      )
    } finally {
      await db.close()
    }
  })

const env = process.env
registerSend(program, env)
registerEvents(program, env)
registerDeliveries(program, env)
registerDestinations(program, env)
registerReplay(program, env)
registerListen(program, env)
registerVerify(program)
registerTriggers(program, env)
registerSecrets(program, (options) => configFrom(options))

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(formatError(error) + '\n')
  const code = (error as { exitCode?: unknown }).exitCode
  process.exit(typeof code === 'number' ? code : exitCodes.error)
})
