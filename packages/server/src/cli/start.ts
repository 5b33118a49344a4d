import type { Config } from '../config.ts'
import { startEngine, type Engine } from '../main.ts'
import { writeCredentialsFile } from '../projects/index.ts'

/** `switchyard start`: runs the engine until SIGINT/SIGTERM, then shuts down cleanly. */
export async function runStart(config: Readonly<Config>): Promise<Engine> {
  const engine = await startEngine(config, { bootstrap: true })
  let credentialsFile: string | null = null
  if (engine.firstStart && engine.db.kind === 'pglite') {
    credentialsFile = await writeCredentialsFile(config.dataDir, engine.firstStart)
  }
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
