import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createTrigger, inboundConfig, sendHook } from '../inbound/helpers.ts'
import { cliEnv, spawnCli } from './run-cli.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
})
afterAll(() => server.close())

// Each case runs CLI processes: a second each when idle, 10 s and more when busy.
describe('switchyard triggers listen', { timeout: 120_000 }, () => {
  it('prints each request to the trigger as it is judged, with the reason for a rejection', async () => {
    const { apiKey } = await server.createProject()
    const trigger = await createTrigger(server, apiKey, {
      verification: { preset: 'github', secrets: ['listen-secret-000001'] },
    })
    const cli = spawnCli(['triggers', 'listen', trigger.id], cliEnv(server, apiKey))
    try {
      await cli.waitFor('stderr', /Listening to trigger/)
      await sendHook(server, trigger.id, {
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=bad' },
        body: '{}',
      })
      const line = await cli.waitFor('stdout', /.*rejected.*\n/)
      expect(line).toMatch(
        new RegExp(`POST /hooks/${trigger.id}  rejected 401  signature mismatch.*  \\S+\\n$`),
      )
    } finally {
      await cli.stop()
    }
  })
})
