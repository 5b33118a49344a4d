import type { AddressInfo } from 'node:net'
import type { Config } from '../config.ts'
import { startEngine, type Engine } from '../main.ts'
import { recordServerUrl, writeCredentialsFile } from '../projects/index.ts'
import { CliError } from './errors.ts'
import { checkConfig } from './preflight.ts'

/** `switchyard start`: runs the engine until SIGINT/SIGTERM, then shuts down cleanly. */
export async function runStart(config: Readonly<Config>): Promise<Engine> {
  await checkConfig(config, { needsSecretKey: true })
  const engine = await startEngine(config, { bootstrap: true }).catch((error: unknown) => {
    throw explainStartFailure(error, config)
  })
  const credentialsFile = await recordCredentials(engine)
  printBanner(engine, credentialsFile)
  const shutdown = (signal: string) => {
    engine.log.info({ signal }, 'shutting down')
    void engine.close().then(
      () => process.exit(0),
      (err: unknown) => {
        engine.log.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', () => shutdown('SIGINT'))
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  return engine
}

/**
 * The embedded store's credentials.json: written on the first start; on every start, pointed
 * at the address the engine listens on, which is where the CLI looks for it.
 * @returns the file written on a first start, else null
 */
async function recordCredentials(engine: Engine): Promise<string | null> {
  if (engine.db.kind !== 'pglite') return null
  const { dataDir } = engine.config
  const base = reachableUrl(engine)
  const first = engine.firstStart
  if (first)
    return writeCredentialsFile(
      dataDir,
      base ? { ...first, apiUrl: `${base}/v1`, dashboardUrl: `${base}/` } : first,
    )
  if (base) await recordServerUrl(dataDir, base)
  return null
}

/** `http://host:port` a client on this machine reaches the engine at; '' without HTTP. */
function reachableUrl(engine: Engine): string {
  const address = engine.url ? (engine.app.server.address() as AddressInfo | null) : null
  if (!address) return ''
  // A wildcard address is every interface; loopback is one of them.
  const host =
    address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`
}

/** A port already taken is a setting to change, not a crash: one line naming the flag. */
function explainStartFailure(error: unknown, config: Readonly<Config>): unknown {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
    return new CliError(
      'port_in_use',
      `port ${config.port} on ${config.host} is in use by another program; stop it, or choose another port with --port or SWITCHYARD_PORT.`,
    )
  return error
}

function printBanner(engine: Engine, credentialsFile: string | null): void {
  const { config } = engine
  // With --port 0 the configured public URL cannot know the port the OS picked.
  const base = config.port === 0 ? engine.url : config.publicUrl
  const store =
    engine.db.kind === 'pglite'
      ? `PGlite (embedded) in ${config.dataDir}`
      : 'PostgreSQL (DATABASE_URL)'
  const lines = [
    '',
    `  Switchyard is running (role: ${config.role})`,
    '',
    `  Listening   ${engine.url || '(worker only: no HTTP)'}`,
    `  API         ${base}/v1   (OpenAPI: ${base}/openapi.json)`,
    `  Dashboard   ${base}/`,
    `  Inbound     ${base}/hooks/<triggerId>`,
    `  Store       ${store}`,
  ]
  if (config.allowPrivateTargets) {
    lines.push(
      '  Targets     private and loopback addresses ALLOWED (SWITCHYARD_ALLOW_PRIVATE_TARGETS)',
    )
    if (engine.db.kind === 'pglite')
      lines.push('              the embedded store allows them unless the variable is set to 0')
  }
  if (config.fsConnectorRoots.length > 0)
    lines.push(
      `  Files       filesystem syncs may read below ${config.fsConnectorRoots.join(', ')} (SWITCHYARD_FS_CONNECTOR_ROOTS)`,
    )
  const first = engine.firstStart
  if (first) {
    lines.push(
      '',
      '  First start: created a default project.',
      `  Project id    ${first.projectId}`,
      `  API key       ${first.apiKey}   (admin role; shown once)`,
      `  Admin token   ${first.adminToken}   (manages projects)`,
    )
    if (credentialsFile) lines.push(`  Saved to      ${credentialsFile} (mode 0600)`)
  } else if (engine.db.kind === 'pglite') {
    lines.push('', `  Credentials from the first start: ${config.dataDir}/credentials.json`)
  }
  lines.push('', '  Stop with Ctrl-C.', '')
  process.stdout.write(lines.join('\n') + '\n')
}
