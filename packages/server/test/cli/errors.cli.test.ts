import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { cliEnv, runCli } from './run-cli.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

// Each case runs one to three CLI processes: a second each when idle, 10 s and more when busy.
describe('switchyard errors and connection settings', { timeout: 120_000 }, () => {
  it('prints one line and exits 1 for a key the server does not know', async () => {
    const res = await runCli(['deliveries', 'ls'], { env: cliEnv(server, 'sy_not_a_key') })
    expect(res.code).toBe(1)
    expect(res.stdout).toBe('')
    expect(res.stderr).toMatch(/^switchyard: unauthorized: [^\n]+\n$/)
  })

  it('names the URL it cannot reach', async () => {
    const closed = await closedPort()
    const res = await runCli(['destinations', 'ls', '--url', `http://127.0.0.1:${closed}`], {
      env: cliEnv(server, 'sy_any'),
    })
    expect(res.code).toBe(1)
    expect(res.stderr).toMatch(
      new RegExp(
        `^switchyard: network_error: cannot reach http://127\\.0\\.0\\.1:${closed} \\(ECONNREFUSED\\);[^\\n]+\\n$`,
      ),
    )
  })

  it('asks for a key when none is given', async () => {
    const res = await runCli(['deliveries', 'ls'], { env: cliEnv(server) })
    expect(res.code).toBe(1)
    expect(res.stderr).toMatch(/^switchyard: missing_api_key: No API key: pass --api-key[^\n]+\n$/)
  })

  it('falls back to the apiKey of credentials.json in the data dir', async () => {
    const { apiKey } = await server.createProject()
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-cli-creds-'))
    await fs.writeFile(path.join(dataDir, 'credentials.json'), JSON.stringify({ apiKey }))
    const env = { ...cliEnv(server), SWITCHYARD_DATA_DIR: dataDir }
    const res = await runCli(['send', 'webhook.test', '--json'], { env })
    await fs.rm(dataDir, { recursive: true })
    expect(res.code, res.stderr).toBe(0)
    const check = await server.api('GET', `/v1/events/${JSON.parse(res.stdout).id}`, {
      key: apiKey,
    })
    expect(check.status).toBe(200)
  })

  it('finds the server and the key in credentials.json of SWITCHYARD_DATA_DIR or --data-dir', async () => {
    const { apiKey } = await server.createProject()
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-cli-creds-'))
    const apiUrl = `${server.url}/v1`
    await fs.writeFile(path.join(dataDir, 'credentials.json'), JSON.stringify({ apiKey, apiUrl }))
    // No SWITCHYARD_URL, no key: only the file says where the server is.
    const env = { PATH: process.env.PATH, NO_COLOR: '1' }
    try {
      const byVariable = await runCli(['destinations', 'ls', '--json'], {
        env: { ...env, SWITCHYARD_DATA_DIR: dataDir },
      })
      expect(byVariable.stderr).toBe('')
      expect(byVariable.code).toBe(0)
      const byFlag = await runCli(['destinations', 'ls', '--json', '--data-dir', dataDir], {
        env,
      })
      expect(byFlag.stderr).toBe('')
      expect(byFlag.code).toBe(0)
    } finally {
      await fs.rm(dataDir, { recursive: true })
    }
  })

  it("takes --url and SWITCHYARD_URL over credentials.json's apiUrl", async () => {
    const { apiKey } = await server.createProject()
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-cli-creds-'))
    const stale = `http://127.0.0.1:${await closedPort()}`
    await fs.writeFile(
      path.join(dataDir, 'credentials.json'),
      JSON.stringify({ apiKey, apiUrl: `${stale}/v1` }),
    )
    const env = { PATH: process.env.PATH, NO_COLOR: '1', SWITCHYARD_DATA_DIR: dataDir }
    try {
      const fromFile = await runCli(['destinations', 'ls'], { env })
      expect(fromFile.stderr).toContain(`cannot reach ${stale}`)
      const byVariable = await runCli(['destinations', 'ls'], {
        env: { ...env, SWITCHYARD_URL: server.url },
      })
      expect(byVariable.code, byVariable.stderr).toBe(0)
      const byFlag = await runCli(['destinations', 'ls', '--url', server.url], { env })
      expect(byFlag.code, byFlag.stderr).toBe(0)
    } finally {
      await fs.rm(dataDir, { recursive: true })
    }
  })

  it('takes --url and --api-key before or after the command, the flag over the variable', async () => {
    const { apiKey } = await server.createProject()
    const env = {
      ...cliEnv({ url: `http://127.0.0.1:${await closedPort()}` }),
      SWITCHYARD_API_KEY: 'sy_wrong',
    }
    const after = ['destinations', 'ls', '--json', '--url', server.url, '--api-key', apiKey]
    const before = ['--url', server.url, '--api-key', apiKey, 'destinations', 'ls', '--json']
    expect((await runCli(after, { env })).code).toBe(0)
    expect((await runCli(before, { env })).code).toBe(0)
  })

  it('prints a usage error on one line and exits 1', async () => {
    const res = await runCli(['deliveries', 'ls', '--status', 'lost'], { env: cliEnv(server, 'k') })
    expect(res.code).toBe(1)
    expect(res.stderr).toMatch(
      /^switchyard: usage: option '--status <status>' argument 'lost' is invalid\.[^\n]+\n$/,
    )
  })
})

/** A port nothing listens on: one the OS just handed out and took back. */
async function closedPort(): Promise<number> {
  const probe = net.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as net.AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}
