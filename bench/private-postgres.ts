/**
 * A private PostgreSQL cluster for runs that restart PostgreSQL: `initdb` into a temp dir, trust
 * auth on 127.0.0.1, fsync on, its own free port; started, restarted and removed with `pg_ctl`.
 * Never the shared cluster on 5432, which other test runs are using.
 *
 * initdb refuses to run as root: as root the cluster belongs to the `postgres` OS user and every
 * command runs through `runuser -u postgres`; as anyone else it runs as that user.
 *
 * @example
 * const pg = await startPrivatePostgres()
 * await pg.restart()          // a fast shutdown and a start, like an operator's restart
 * await pg.remove()
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string
  port: number
  dataDir: string
  /** Stops (fast: open sessions are ended) and starts again; resolves when it accepts connections. */
  restart: () => Promise<{ seconds: number }>
  stop: () => Promise<void>
  start: () => Promise<void>
  /** Stops the cluster and deletes its files. */
  remove: () => Promise<void>
}

/** The directory holding initdb and pg_ctl: $PG_BIN, else the newest /usr/lib/postgresql/<n>/bin. */
export async function findPostgresBin(): Promise<string> {
  const candidates = process.env.PG_BIN ? [process.env.PG_BIN] : await versionedBins()
  for (const dir of candidates) {
    const ok = await fs.access(path.join(dir, 'initdb'), fs.constants.X_OK).then(
      () => true,
      () => false,
    )
    if (ok) return dir
  }
  throw new Error(
    'No PostgreSQL server binaries (initdb, pg_ctl) found: install the postgresql package or set ' +
      'PG_BIN to the directory holding them. The chaos suite needs a private cluster it may restart.',
  )
}

async function versionedBins(): Promise<string[]> {
  const root = '/usr/lib/postgresql'
  const versions = await fs.readdir(root).catch(() => [] as string[])
  return versions
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(root, v, 'bin'))
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Creates and starts a private cluster; `remove()` it when done. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await findPostgresBin()
  const asRoot = process.getuid?.() === 0
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-pg-'))
  const dataDir = path.join(base, 'data')
  const logFile = path.join(base, 'postgres.log')
  if (asRoot) {
    const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim())
    const owner = await Promise.all([id('-u'), id('-g')]).catch((cause: unknown) => {
      throw new Error('As root, the private cluster needs a `postgres` OS user to own it', {
        cause,
      })
    })
    await fs.chown(base, owner[0], owner[1])
  }
  const as = (file: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, file), ...args])
      : run(path.join(bin, file), args)

  await as('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'])
  const port = await freePort()
  // fsync stays on: a restart must find what was committed, as on a real server.
  const options = [
    `-p ${port}`,
    `-k ${base}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=on',
    '-c max_connections=200',
    '-c shared_buffers=64MB',
  ].join(' ')
  const start = async () => {
    await as('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '60', 'start'])
  }
  const stop = async () => {
    await as('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'])
  }
  await start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    start,
    stop,
    restart: async () => {
      const t0 = performance.now()
      await stop()
      await start()
      return { seconds: (performance.now() - t0) / 1000 }
    },
    remove: async () => {
      await stop().catch(() => {})
      await fs.rm(base, { recursive: true, force: true })
    },
  }
}
