import fs from 'node:fs'
import path from 'node:path'
import { createClient, type SwitchyardClient } from '@switchyard/sdk'
import type { Command } from 'commander'
import { dataDirOf } from '../config.ts'
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
    command.option('--url <url>', urlHelp)
    serverUrlCommands.add(command)
  }
  return command
    .option('--api-key <key>', 'a project API key (SWITCHYARD_API_KEY)')
    .option('--data-dir <dir>', dataDirHelp)
}

/** `--url`'s help, here and on the program. */
export const urlHelp = `the server's URL (SWITCHYARD_URL, else the apiUrl of <data dir>/credentials.json, else ${defaultUrl})`
/** `--data-dir`'s help for API commands: where credentials.json is read from. */
export const dataDirHelp =
  "the engine's data dir, whose credentials.json gives the URL and key (SWITCHYARD_DATA_DIR, default ./.switchyard)"

/**
 * Resolves the server URL and the API key for a command, each flag > environment > file >
 * default: `--url`/`SWITCHYARD_URL`, `--api-key`/`SWITCHYARD_API_KEY`, then the `apiUrl` and
 * `apiKey` of `<data dir>/credentials.json` (`--data-dir`/`SWITCHYARD_DATA_DIR`, default
 * ./.switchyard), which `switchyard start` writes on an embedded store's first start and points
 * at the address it listens on each start after; the URL's default is http://localhost:8787.
 * @example const { client } = connect(command, process.env)
 */
export function connect(command: Command, env: NodeJS.ProcessEnv): Connection {
  let root = command
  while (root.parent) root = root.parent
  type Flags = { url?: string; apiKey?: string; dataDir?: string }
  const global = root.opts<Flags>()
  const local = command.opts<Flags>()
  const flagUrl = (serverUrlCommands.has(command) ? local.url : undefined) ?? global.url
  let file: Credentials | null = null
  const fromFile = () => (file ??= readCredentials(env, local.dataDir ?? global.dataDir))
  const url = (flagUrl ?? (env.SWITCHYARD_URL || null) ?? fromFile().url ?? defaultUrl).replace(
    /\/+$/,
    '',
  )
  if (!/^https?:\/\/[^/]/.test(url))
    throw new CliError('invalid_url', `--url must be an http(s) URL, got "${url}".`)
  const apiKey =
    local.apiKey ?? global.apiKey ?? (env.SWITCHYARD_API_KEY || null) ?? fromFile().apiKey
  if (!apiKey)
    throw new CliError(
      'missing_api_key',
      'No API key: pass --api-key, set SWITCHYARD_API_KEY, or run where `switchyard start` wrote .switchyard/credentials.json (or name its data dir with --data-dir or SWITCHYARD_DATA_DIR).',
    )
  return { url, apiKey, client: createClient({ baseUrl: url, apiKey }) }
}

interface Credentials {
  /** The server's base URL (the file's `apiUrl` without `/v1`). */
  url: string | null
  apiKey: string | null
}

function readCredentials(env: NodeJS.ProcessEnv, dataDir: string | undefined): Credentials {
  const file = path.join(dataDirOf(env, dataDir), 'credentials.json')
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return { url: null, apiKey: null }
  }
  let parsed: { apiKey?: unknown; apiUrl?: unknown }
  try {
    parsed = JSON.parse(text) as typeof parsed
  } catch {
    throw new CliError('invalid_credentials_file', `${file} is not JSON; fix or delete it.`)
  }
  const { apiKey, apiUrl } = parsed
  return {
    url: typeof apiUrl === 'string' && apiUrl !== '' ? apiUrl.replace(/\/v1\/?$/, '') : null,
    apiKey: typeof apiKey === 'string' && apiKey !== '' ? apiKey : null,
  }
}
