import fs from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '../config.ts'
import { checkPostgres, parsePostgresUrl } from '../store/index.ts'
import { CliError } from './errors.ts'

/**
 * What `start` (and `migrate`) check before opening the store, so a misconfiguration ends the
 * process at once with one line naming the fix, instead of surfacing on the first request
 * (PostgreSQL without a secret key answered `500 secret_key_missing` to `POST /v1/projects`).
 * Settings that do not parse are refused earlier, by `loadConfig`.
 * @example await checkConfig(config, { needsSecretKey: true })
 */
export async function checkConfig(
  config: Readonly<Config>,
  options: { needsSecretKey: boolean },
): Promise<void> {
  if (config.databaseUrl) await checkPostgresConfig(config.databaseUrl, config, options)
  else if (!config.dataDir.startsWith('memory://')) await checkDataDirWritable(config.dataDir)
}

async function checkPostgresConfig(
  url: string,
  config: Readonly<Config>,
  options: { needsSecretKey: boolean },
): Promise<void> {
  const target = parsePostgresUrl(url)
  if ('problem' in target) throw new CliError('invalid_database_url', target.problem)
  // Each process would otherwise need a key of its own, and they must all share one; so
  // PostgreSQL never generates it (the embedded store writes <dataDir>/secret.key).
  if (options.needsSecretKey && !config.secretKey)
    throw new CliError(
      'secret_key_required',
      'PostgreSQL (DATABASE_URL) needs SWITCHYARD_SECRET_KEY to encrypt secrets at rest: set it to the same random value in every process (openssl rand -base64 32).',
    )
  const problem = await checkPostgres(url, target)
  if (problem) throw new CliError('database_unreachable', problem)
}

/** The embedded store writes its files, credentials.json and secret.key here. */
async function checkDataDirWritable(dataDir: string): Promise<void> {
  const probe = path.join(dataDir, `.write-check-${process.pid}`)
  try {
    await fs.mkdir(dataDir, { recursive: true })
    await fs.writeFile(probe, '')
    await fs.rm(probe, { force: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    throw new CliError(
      'data_dir_not_writable',
      `cannot write to the data dir ${dataDir} (${code}): fix its permissions, or choose another with --data-dir or SWITCHYARD_DATA_DIR.`,
    )
  }
}
