import { Command, Option } from 'commander'
import { loadConfig, parseRole, type Config } from '../config.ts'
import { migrate, openDb } from '../store/index.ts'
import { version } from '../version.ts'
import { runStart } from './start.ts'

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
  if (options.port !== undefined) overrides.port = Number(options.port)
  if (options.dataDir !== undefined) overrides.dataDir = options.dataDir
  if (options.host !== undefined) overrides.host = options.host
  if (options.role !== undefined) overrides.role = parseRole(options.role)
  return loadConfig(process.env, overrides, load)
}

const program = new Command()
  .name('switchyard')
  .description(
    'Self-hostable webhook engine: outbound delivery, sync change feed, inbound triggers.',
  )
  .version(version)
  .showHelpAfterError()

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
    await runStart(configFrom(options, { localDevelopment: true }))
  })

program
  .command('migrate')
  .description('Apply pending database migrations and exit')
  .option('-d, --data-dir <dir>', 'embedded store directory (SWITCHYARD_DATA_DIR)')
  .action(async (options) => {
    const config = configFrom(options)
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

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`switchyard: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
