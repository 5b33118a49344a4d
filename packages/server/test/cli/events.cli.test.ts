import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { recordCreated } from '../delivery/fixtures.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { cliEnv, runCli, spawnCli, type CliProcess } from './run-cli.ts'

let server: TestServer
let env: NodeJS.ProcessEnv
const running: CliProcess[] = []

beforeAll(async () => {
  server = await startTestServer()
  env = cliEnv(server, (await server.createProject('Acme')).apiKey)
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()))
})
afterAll(() => server.close())

async function tail(extra: string[] = []): Promise<CliProcess> {
  const cli = spawnCli(['events', 'tail', ...extra], env)
  running.push(cli)
  await cli.waitFor('stderr', /Following events of Acme/)
  return cli
}

const data = JSON.stringify(recordCreated.data)

// Each case runs CLI processes: a second each when idle, 10 s and more when busy.
describe('switchyard send and events tail', { timeout: 120_000 }, () => {
  it('tails an event that send publishes, one line per event', async () => {
    const tailing = await tail()
    const sent = await runCli(['send', 'record.created', '--data', data, '--user-id', 'user_1'], {
      env,
    })
    expect(sent.code).toBe(0)
    const id = /accepted {2}record\.created {2}(\S+)/.exec(sent.stdout)?.[1]
    expect(id).toBeDefined()
    const line = await tailing.waitFor('stdout', new RegExp(`.*${id}.*\\n`))
    const [, rest] = line.split(`record.created  ${id}  user=user_1  `)
    expect(JSON.parse(rest!)).toEqual(recordCreated.data)
  })

  it('tails JSON lines filtered by --types', async () => {
    const tailing = await tail(['--types', 'record.deleted', '--json'])
    await runCli(['send', 'record.created', '--data', data], { env })
    const deleted = await runCli(['send', 'record.deleted', '--data', data, '--json'], { env })
    const event = JSON.parse(deleted.stdout)
    await tailing.waitFor('stdout', new RegExp(event.id))
    expect(
      tailing
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([event])
  })

  it('reads --data from a file and keeps one event per idempotency key', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-send-'))
    const file = path.join(dir, 'data.json')
    await fs.writeFile(file, data)
    const args = ['send', 'record.created', '--data', `@${file}`, '--idempotency-key', 'k1']
    const first = await runCli([...args, '--json'], { env })
    const again = await runCli([...args, '--json'], { env })
    await fs.rm(dir, { recursive: true })
    expect(JSON.parse(again.stdout).id).toBe(JSON.parse(first.stdout).id)
  })

  it("prints the API's validation error on one line and exits 1", async () => {
    const sent = await runCli(['send', 'record.created', '--data', '{"model":"files"}'], { env })
    expect(sent.code).toBe(1)
    expect(sent.stdout).toBe('')
    expect(sent.stderr).toMatch(/^switchyard: invalid_event_data: .*\/data.*\n$/)
  })

  it('refuses --data that is not JSON without calling the API', async () => {
    const sent = await runCli(['send', 'record.created', '--data', '{nope'], { env })
    expect(sent.code).toBe(1)
    expect(sent.stderr).toMatch(/^switchyard: invalid_data: --data is not JSON: .*\n$/)
  })
})
