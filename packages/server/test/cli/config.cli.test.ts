import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.ts'

/*
 * `switchyard start` refuses a configuration it cannot run with before it opens anything: exit
 * 1, nothing on stdout, one line on stderr naming the fix. Most checks need no database (they
 * fail before connecting); the ones that talk to PostgreSQL run in the PostgreSQL pass.
 */
let dir: string
const postgresUrl = process.env.DATABASE_URL

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-config-'))
})
afterAll(() => fs.rm(dir, { recursive: true, force: true }))

const baseEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, NO_COLOR: '1' }

/** `switchyard start` on a data dir of its own; resolves with how it ended. */
async function start(env: NodeJS.ProcessEnv, args: string[] = []) {
  const dataDir = await fs.mkdtemp(path.join(dir, 'data-'))
  const res = await runCli(['start', '--port', '0', '--data-dir', dataDir, ...args], {
    env: { ...baseEnv, ...env },
    timeoutMs: 240_000,
  })
  return { ...res, dataDir }
}

/** Asserts the one-line refusal and returns its message. */
function refusal(res: { code: number | null; stdout: string; stderr: string }, code: string) {
  expect(res.stdout).toBe('')
  expect(res.stderr).toMatch(new RegExp(`^switchyard: ${code}: [^\\n]+\\n$`))
  expect(res.code).toBe(1)
  return res.stderr
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

// Each case starts a CLI process or two: under a second when idle, 10 s and more when busy.
describe('switchyard start: configuration checked at start', { timeout: 120_000 }, () => {
  it('refuses PostgreSQL without SWITCHYARD_SECRET_KEY', async () => {
    const res = await start({ DATABASE_URL: 'postgres://app:pw@127.0.0.1:5432/switchyard' })
    expect(refusal(res, 'secret_key_required')).toMatch(/set it to the same random value/)
  })

  it('refuses a DATABASE_URL that is not a PostgreSQL URL, without echoing it', async () => {
    const malformed = await start({ DATABASE_URL: 'app:s3cret@db/switchyard' })
    expect(refusal(malformed, 'invalid_database_url')).toMatch(/postgres:\/\/user:password@host/)
    const mysql = await start({ DATABASE_URL: 'mysql://app:s3cret@db/switchyard' })
    expect(refusal(mysql, 'invalid_database_url')).toMatch(/must start with postgres:\/\//)
    expect(malformed.stderr + mysql.stderr).not.toContain('s3cret')
  })

  it('names host:port when PostgreSQL refuses the connection', async () => {
    const port = await closedPort()
    const res = await start({
      DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${port}/switchyard`,
      SWITCHYARD_SECRET_KEY: 'k',
    })
    const line = refusal(res, 'database_unreachable')
    expect(line).toContain(`PostgreSQL at 127.0.0.1:${port} (connection refused)`)
    expect(line).not.toContain('s3cret')
  })

  it.runIf(postgresUrl)('names a database that does not exist', async () => {
    const url = new URL(postgresUrl!)
    url.pathname = '/switchyard_no_such_database'
    const res = await start({ DATABASE_URL: url.toString(), SWITCHYARD_SECRET_KEY: 'k' })
    expect(refusal(res, 'database_unreachable')).toMatch(
      /has no database "switchyard_no_such_database"; create it/,
    )
  })

  it('refuses a data dir it cannot write to', async () => {
    const file = path.join(dir, 'a-file')
    await fs.writeFile(file, '')
    const dataDir = path.join(file, 'data')
    const res = await runCli(['start', '--port', '0', '--data-dir', dataDir], { env: baseEnv })
    expect(refusal(res, 'data_dir_not_writable')).toContain(
      `cannot write to the data dir ${dataDir} (ENOTDIR)`,
    )
  })

  it('refuses numeric settings that are not numbers, naming the variable or flag', async () => {
    const batch = await start({ SWITCHYARD_DELIVERY_BATCH_SIZE: 'lots' })
    expect(refusal(batch, 'invalid_setting')).toContain(
      'SWITCHYARD_DELIVERY_BATCH_SIZE must be a positive integer, got "lots"',
    )
    const port = await start({}, ['--port', '80a'])
    expect(refusal(port, 'invalid_setting')).toContain('--port must be a port number')
  })

  it('refuses a port another program holds', { timeout: 300_000 }, async () => {
    const holder = net.createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const { port } = holder.address() as net.AddressInfo
    try {
      const dataDir = await fs.mkdtemp(path.join(dir, 'data-'))
      const res = await runCli(['start', '--port', String(port), '--data-dir', dataDir], {
        env: { ...baseEnv, SWITCHYARD_LOG_LEVEL: 'warn' },
        timeoutMs: 240_000,
      })
      expect(refusal(res, 'port_in_use')).toContain(`port ${port} on 127.0.0.1 is in use`)
      // The engine closed its store on the way out: the next start may take the data dir.
      await expect(fs.access(path.join(dataDir, 'switchyard.lock'))).rejects.toThrow()
    } finally {
      await new Promise((resolve) => holder.close(resolve))
    }
  })
})
