import { Webhook } from 'standardwebhooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { recordCreated } from '../delivery/fixtures.ts'
import { startReceiver, statuses, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { cliEnv, spawnCli, type CliProcess } from './run-cli.ts'

let server: TestServer
let key: string
const running: CliProcess[] = []
const receivers: Receiver[] = []

beforeAll(async () => {
  server = await startTestServer()
  key = (await server.createProject('Acme')).apiKey
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()))
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})
afterAll(() => server.close())

/** `switchyard listen` forwarding to a fresh local app, resolved once it says it is ready. */
async function listen(
  extra: string[] = [],
  answer?: Parameters<typeof startReceiver>[0],
): Promise<{ app: Receiver; cli: CliProcess; secret: string }> {
  const app = await startReceiver(answer)
  receivers.push(app)
  const cli = spawnCli(['listen', '--forward-to', app.url, ...extra], cliEnv(server, key))
  running.push(cli)
  await cli.waitFor('stderr', /Ready: forwarding events of Acme/)
  const secret = /Webhook signing secret: (whsec_\S+)/.exec(cli.stderr())?.[1] ?? ''
  return { app, cli, secret }
}

/*
 * How long a forward may take before the test fails. Generous: the event crosses the engine, a
 * stream and a CLI process, and the machine may be busy (the time a forward takes is measured
 * in bench/, not asserted here).
 */
const forwardWaitMs = 60_000

const publish = (event: Record<string, unknown> = recordCreated) =>
  server.api('POST', '/v1/events', { key, body: event })

describe('switchyard listen', { timeout: 180_000 }, () => {
  it('forwards a published event to the local app, signed with the session secret', async () => {
    const { app, secret } = await listen()
    const res = await publish()
    const [request] = await app.waitForRequests(1, forwardWaitMs)
    expect(secret).toMatch(/^whsec_/)
    // Checked with the reference implementation, not the SDK that signed it.
    const body = new Webhook(secret).verify(request!.body, {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    }) as Record<string, unknown>
    expect(request!.headers['webhook-id']).toBe(res.body.id)
    expect(body).toMatchObject({ type: 'record.created', data: recordCreated.data })
  })

  it("prints one line per event with the local app's status and duration", async () => {
    const { cli } = await listen([], statuses(500))
    const res = await publish()
    const line = await cli.waitFor('stdout', new RegExp(`.*${res.body.id}\\n`))
    expect(line).toMatch(new RegExp(`record\\.created  → 500  \\d+ ms  ${res.body.id}`))
  })

  it('renders bodies in the wire format asked for and signs with the secret given', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
    const { app } = await listen(['--format', 'managed-sync', '--secret', secret])
    await publish()
    const [request] = await app.waitForRequests(1, forwardWaitMs)
    const body = new Webhook(secret).verify(request!.body, {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    }) as Record<string, unknown>
    expect(body).toMatchObject({ event: 'record_created' })
  })

  it('forwards only the events named by --events', async () => {
    const { app, cli } = await listen(['--events', 'record.deleted'])
    await publish()
    const deleted = await publish({ ...recordCreated, type: 'record.deleted' })
    const [request] = await app.waitForRequests(1, forwardWaitMs)
    expect(request!.headers['webhook-id']).toBe(deleted.body.id)
    await cli.waitFor('stdout', new RegExp(deleted.body.id))
    expect(app.requests).toHaveLength(1)
  })
})
