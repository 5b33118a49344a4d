import fs from 'node:fs'
import path from 'node:path'
import { createClient, type SwitchyardClient } from '@switchyard/sdk'
import type { Command } from 'commander'
import { loadConfig } from '../config.ts'
import { CliError } from './errors.ts'

export const defaultUrl = 'http://localhost:8787'

/** Where the API is and who is calling; what every API command is given. */
export interface Connection {
  /** The server's base URL, no trailing slash. */
  url: string
  apiKey: string
  client: SwitchyardClient
}

// Commands whose own --url is the server's (for `destinations create` it is the target's).
const serverUrlCommands = new WeakSet<Command>()

/**
 * Adds `--url` and `--api-key` to an API command, so they work after its name as well as
 * before (`switchyard --url … deliveries ls`). `url: false` leaves `--url` to the command.
 * @example connectionOptions(program.command('send').action(send))
 */
export function connectionOptions(command: Command, options: { url?: boolean } = {}): Command {
  if (options.url !== false) {
    command.option('--url <url>', `the server's URL (SWITCHYARD_URL, default ${defaultUrl})`)
    serverUrlCommands.add(command)
  }
  return command.option('--api-key <key>', 'a project API key (SWITCHYARD_API_KEY)')
}

/**
 * Resolves the server URL and the API key for a command, each flag > environment > file >
 * default: `SWITCHYARD_URL` (default http://localhost:8787), `SWITCHYARD_API_KEY`, then the
 * `apiKey` of `<data dir>/credentials.json`, which `switchyard start` writes on an embedded
 * store's first start (`SWITCHYARD_DATA_DIR`, default ./.switchyard).
 * @example const { client } = connect(command, process.env)
 */
export function connect(command: Command, env: NodeJS.ProcessEnv): Connection {
  let root = command
  while (root.parent) root = root.parent
  const global = root.opts<{ url?: string; apiKey?: string }>()
  const local = command.opts<{ url?: string; apiKey?: string }>()
  const flagUrl = (serverUrlCommands.has(command) ? local.url : undefined) ?? global.url
  const url = (flagUrl ?? env.SWITCHYARD_URL ?? defaultUrl).replace(/\/+$/, '')
  if (!/^https?:\/\/[^/]/.test(url))
    throw new CliError('invalid_url', `--url must be an http(s) URL, got "${url}".`)
  const apiKey =
    local.apiKey ?? global.apiKey ?? (env.SWITCHYARD_API_KEY || null) ?? keyFromCredentials(env)
  if (!apiKey)
    throw new CliError(
      'missing_api_key',
      'No API key: pass --api-key, set SWITCHYARD_API_KEY, or run where `switchyard start` wrote .switchyard/credentials.json.',
    )
  return { url, apiKey, client: createClient({ baseUrl: url, apiKey }) }
}

function keyFromCredentials(env: NodeJS.ProcessEnv): string | null {
  const file = path.join(loadConfig(env).dataDir, 'credentials.json')
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return null
  }
  try {
    const apiKey = (JSON.parse(text) as { apiKey?: unknown }).apiKey
    return typeof apiKey === 'string' && apiKey !== '' ? apiKey : null
  } catch {
    throw new CliError('invalid_credentials_file', `${file} is not JSON; fix or delete it.`)
  }
}
