import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { runCli, startCli, type CliProcess } from './run-cli.ts'

/*
 * `switchyard start` on an embedded store in a temp dir, as a subprocess. These always run on
 * PGlite (the data dir is the point); DATABASE_URL is left out of their environment.
 * A first start migrates a fresh store: seconds when idle, over 30 s on a busy machine; each
 * step waits for what it needs (the banner, the exit) and the test's bound only ends a hang.
 */
const startTimeout = 400_000
const dirs: string[] = []
const engines: CliProcess[] = []

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.stop()))
})
afterAll(async () => {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true })
})

const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  NO_COLOR: '1',
  SWITCHYARD_LOG_LEVEL: 'info',
}

async function tempDataDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-cli-'))
  dirs.push(dir)
  return path.join(dir, 'data')
}

async function start(dataDir: string) {
  const engine = await startCli(['--port', '0', '--data-dir', dataDir], env)
  engines.push(engine)
  return engine
}

async function readCredentials(dataDir: string) {
  const text = await fs.readFile(path.join(dataDir, 'credentials.json'), 'utf8')
  return JSON.parse(text) as { apiKey: string; apiUrl: string; dashboardUrl: string }
}

const publish = (url: string, apiKey: string) =>
  fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'webhook.test', data: {} }),
  })

describe('switchyard start', () => {
  it(
    'creates a default project on first start and writes credentials.json with mode 0600',
    async () => {
      const dataDir = await tempDataDir()
      const engine = await start(dataDir)
      const file = path.join(dataDir, 'credentials.json')
      const credentials = await readCredentials(dataDir)
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600)
      expect(engine.stdout()).toContain(credentials.apiKey)
      expect((await publish(engine.url, credentials.apiKey)).status).toBe(202)
      expect(await engine.stop()).toBe(0)
    },
    startTimeout,
  )

  it(
    'starts again with its data after being killed with SIGKILL, taking over its lock',
    async () => {
      const dataDir = await tempDataDir()
      const first = await start(dataDir)
      const { apiKey } = await readCredentials(dataDir)
      const accepted = (await (await publish(first.url, apiKey)).json()) as { id: string }
      first.child.kill('SIGKILL')
      await first.exited()
      const second = await start(dataDir)
      const read = await fetch(`${second.url}/v1/events/${accepted.id}`, {
        headers: { authorization: `Bearer ${apiKey}` },
      })
      expect(read.status).toBe(200)
      expect(second.stdout()).not.toContain('First start')
      const lock = JSON.parse(await fs.readFile(path.join(dataDir, 'switchyard.lock'), 'utf8'))
      expect(lock.pid).toBe(second.child.pid)
    },
    startTimeout,
  )

  it(
    'records the address it listens on in credentials.json on every start, for the CLI to find',
    async () => {
      const dataDir = await tempDataDir()
      const first = await start(dataDir)
      expect(await readCredentials(dataDir)).toMatchObject({
        apiUrl: `${first.url}/v1`,
        dashboardUrl: `${first.url}/`,
      })
      await first.stop()
      // Port 0 again: another free port, so the file must follow.
      const second = await start(dataDir)
      expect(second.url).not.toBe(first.url)
      expect((await readCredentials(dataDir)).apiUrl).toBe(`${second.url}/v1`)
      // No --url, no SWITCHYARD_URL, no key: the data dir's credentials.json gives both.
      const sent = await runCli(['send', 'webhook.test', '--json'], {
        env: { ...env, SWITCHYARD_DATA_DIR: dataDir },
      })
      expect(sent.stderr).toBe('')
      expect(sent.code).toBe(0)
      expect(JSON.parse(sent.stdout)).toMatchObject({ type: 'webhook.test' })
    },
    startTimeout,
  )

  it(
    'refuses a second engine on the same data dir with one line naming the holder, and leaves the first serving',
    async () => {
      const dataDir = await tempDataDir()
      const first = await start(dataDir)
      const pidFile = path.join(dataDir, 'postmaster.pid')
      const before = await fs.readFile(pidFile, 'utf8')
      const second = await runCli(['start', '--port', '0', '--data-dir', dataDir], { env })
      expect(second.code).toBe(1)
      expect(second.stdout).toBe('')
      expect(second.stderr).toMatch(
        new RegExp(
          `^switchyard: data_dir_in_use: ${dataDir} is in use by process ${first.child.pid} \\(since \\d{4}-\\d\\d-\\d\\dT[^)]+\\); [^\\n]+\\n$`,
        ),
      )
      expect(await fs.readFile(pidFile, 'utf8')).toBe(before)
      const { apiKey } = await readCredentials(dataDir)
      expect((await publish(first.url, apiKey)).status).toBe(202)
      expect(await first.stop()).toBe(0)
    },
    startTimeout,
  )

  it(
    'writes one JSON log line per request when stdout is not a terminal',
    async () => {
      const dataDir = await tempDataDir()
      const engine = await start(dataDir)
      const { apiKey } = await readCredentials(dataDir)
      const res = await publish(`${engine.url}`, apiKey)
      const requestId = res.headers.get('x-request-id')!
      const line = await engine.waitFor('stdout', new RegExp(`.*${requestId}.*\\n`))
      expect(JSON.parse(line)).toMatchObject({
        level: 30,
        reqId: requestId,
        method: 'POST',
        url: '/v1/events',
        status: 202,
        durationMs: expect.any(Number),
        msg: expect.stringMatching(/^POST \/v1\/events 202 \d+ ms$/),
      })
      expect(engine.stdout().split(requestId)).toHaveLength(2)
      expect(engine.stdout()).not.toMatch(/incoming request|request completed/)
    },
    startTimeout,
  )
})
