import type { AddressObject, ParsedMail } from 'mailparser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  collectDispatch,
  createDestination,
  exactSchedule,
  noPoll,
  publish,
  workflowFailed,
} from '../delivery/fixtures.ts'
import { createClock } from '../helpers/clock.ts'
import { adminToken, startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.ts'

const publicUrl = 'https://switchyard.example.com'
const clock = createClock()
let server: TestServer
let smtp: SmtpReceiver

beforeAll(async () => {
  smtp = await startSmtpReceiver()
  server = await startTestServer({
    now: clock.now,
    config: { ...noPoll, ...exactSchedule, publicUrl, smtpUrl: smtp.url },
  })
})
afterAll(async () => {
  await server.close()
  await smtp.stop()
})

function recipients(mail: ParsedMail): string[] {
  const to = [mail.to ?? []].flat() as AddressObject[]
  return to.flatMap((group) => group.value.map((a) => a.address ?? ''))
}

/** The first message to `address` that arrives after the first `after` messages. */
function mailTo(address: string, after: number): Promise<ParsedMail> {
  return waitFor(() => smtp.messages.slice(after).find((m) => recipients(m).includes(address)))
}

async function destinationsOf(key: string): Promise<Record<string, any>[]> {
  return (await server.api('GET', '/v1/destinations', { key })).body.data
}

describe('the default email destination', () => {
  it("is created with every project, for workflow.failed, to the creator's address", async () => {
    const { apiKey } = await server.createProject('Acme')
    expect(await destinationsOf(apiKey)).toMatchObject([
      {
        type: 'email',
        name: 'Workflow failures',
        to: ['owner@example.com'],
        url: null,
        events: ['workflow.failed'],
        format: 'monitoring',
        enabled: true,
      },
    ])
  })

  it('is not created for a project without an ownerEmail', async () => {
    const res = await server.api('POST', '/v1/projects', {
      key: adminToken,
      body: { name: 'Ownerless' },
    })
    expect(await destinationsOf(res.body.apiKey)).toEqual([])
  })

  it('delivers a workflow.failed over SMTP as text and HTML', async () => {
    const { apiKey, projectId } = await server.createProject('Acme')
    const [destination] = await destinationsOf(apiKey)
    const done = collectDispatch(
      server.engine.dispatcher,
      'delivered',
      (e) => e.destinationId === destination!.id,
      1,
    )
    const after = smtp.messages.length
    await publish(server, apiKey, workflowFailed)
    const mail = await mailTo('owner@example.com', after)
    const executionUrl = `${publicUrl}/projects/${projectId}/monitoring/workflows/${workflowFailed.data.workflow.id}/executions/${workflowFailed.data.execution.id}`
    expect(mail.subject).toBe('[Acme] Workflow “Test Workflow Name“ failed for User <User ID>')
    expect(mail.from?.text).toContain('switchyard@switchyard.example.com')
    expect(mail.text).toContain('Error: Test error message')
    expect(mail.text).toContain(`Execution: ${executionUrl}`)
    expect(mail.html).toContain(`<a href="${executionUrl}">`)
    expect(mail.html).toContain('&lt;User ID&gt;')
    const [delivered] = await done
    const res = await server.api('GET', `/v1/deliveries/${delivered!.deliveryId}`, { key: apiKey })
    expect(res.body).toMatchObject({
      status: 'succeeded',
      attempts: [{ outcome: 'delivered', status: 250 }],
    })
  })
})

describe('email destinations', () => {
  it('refuses an address that is not one with 400 invalid_email', async () => {
    const { apiKey } = await server.createProject()
    const res = await server.api('POST', '/v1/destinations', {
      key: apiKey,
      body: { type: 'email', to: ['ops@acme.test', 'not-an-address'], events: ['workflow.failed'] },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'invalid_email', details: [{ path: '/to/1' }] })
  })

  it('refuses webhook fields on an email destination', async () => {
    const { apiKey } = await server.createProject()
    const res = await server.api('POST', '/v1/destinations', {
      key: apiKey,
      body: { type: 'email', to: ['ops@acme.test'], events: ['*'], url: 'https://example.com/' },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: '/url' }] })
  })

  it('changes its recipients, still checking them', async () => {
    const { apiKey } = await server.createProject()
    const [destination] = await destinationsOf(apiKey)
    const path = `/v1/destinations/${destination!.id}`
    const changed = await server.api('PATCH', path, {
      key: apiKey,
      body: { to: ['oncall@acme.test'] },
    })
    expect(changed.body).toMatchObject({ type: 'email', to: ['oncall@acme.test'] })
    const refused = await server.api('PATCH', path, { key: apiKey, body: { to: ['oncall'] } })
    expect(refused.body.error).toMatchObject({
      code: 'invalid_email',
      details: [{ path: '/to/0' }],
    })
  })

  it('tests an unsaved email configuration before it is saved', async () => {
    const { apiKey } = await server.createProject('Acme')
    const after = smtp.messages.length
    const res = await server.api('POST', '/v1/destinations/test', {
      key: apiKey,
      body: { type: 'email', to: ['qa@acme.test'] },
    })
    expect(res.body).toMatchObject({ outcome: 'delivered', status: 250, errorClass: null })
    expect(res.body.requestHeaders).toMatchObject({ to: 'qa@acme.test' })
    const mail = await mailTo('qa@acme.test', after)
    expect(mail.subject).toBe('[Acme] This is a test event from Switchyard.')
  })

  it('tests a saved email destination', async () => {
    const { apiKey } = await server.createProject('Acme')
    const [destination] = await destinationsOf(apiKey)
    const after = smtp.messages.length
    const res = await server.api('POST', `/v1/destinations/${destination!.id}/test`, {
      key: apiKey,
    })
    expect(res.body).toMatchObject({ outcome: 'delivered', status: 250 })
    await mailTo('owner@example.com', after)
  })

  it('holds its deliveries while disabled and mails them when enabled again', async () => {
    const { apiKey } = await server.createProject()
    const [destination] = await destinationsOf(apiKey)
    const path = `/v1/destinations/${destination!.id}`
    await server.api('POST', `${path}/disable`, { key: apiKey, body: {} })
    await publish(server, apiKey, workflowFailed)
    const [held] = (
      await server.api('GET', `/v1/deliveries?destinationId=${destination!.id}`, { key: apiKey })
    ).body.data
    expect(held).toMatchObject({ status: 'held', attemptCount: 0 })
    const after = smtp.messages.length
    await server.api('POST', `${path}/enable`, { key: apiKey })
    await mailTo('owner@example.com', after)
  })

  it('logs a refused recipient as a failed attempt (smtp_status 550) and retries it', async () => {
    const { apiKey } = await server.createProject()
    const destination = await createDestination(server, apiKey, {
      type: 'email',
      to: ['bounce@acme.test'],
      events: ['workflow.failed'],
    })
    const attempted = collectDispatch(
      server.engine.dispatcher,
      'attempt',
      (e) => e.destinationId === destination.id,
      1,
    )
    await publish(server, apiKey, workflowFailed)
    const [attempt] = await attempted
    expect(attempt).toMatchObject({ status: 'pending', nextAttemptAt: expect.any(Date) })
    const res = await server.api('GET', `/v1/deliveries/${attempt!.deliveryId}`, { key: apiKey })
    expect(res.body.attempts).toMatchObject([
      {
        outcome: 'failed',
        errorClass: 'smtp_status',
        status: 550,
        errorMessage: expect.stringContaining('SMTP 550'),
      },
    ])
  })

  it('retries while the mail server is down and delivers once it is back', async () => {
    const { apiKey } = await server.createProject()
    const [destination] = await destinationsOf(apiKey)
    const isOurs = (e: { destinationId: string }) => e.destinationId === destination!.id
    await smtp.stop()
    try {
      const failed = collectDispatch(server.engine.dispatcher, 'attempt', isOurs, 1)
      await publish(server, apiKey, workflowFailed)
      expect((await failed)[0]).toMatchObject({
        status: 'pending',
        outcome: { kind: 'failed', errorClass: 'connect' },
      })
    } finally {
      await smtp.start()
    }
    const delivered = collectDispatch(server.engine.dispatcher, 'delivered', isOurs, 1)
    clock.advance(5_000)
    await server.engine.dispatcher.runOnce()
    const [event] = await delivered
    const res = await server.api('GET', `/v1/deliveries/${event!.deliveryId}`, { key: apiKey })
    expect(res.body.attempts.map((a: any) => [a.outcome, a.errorClass])).toEqual([
      ['failed', 'connect'],
      ['delivered', null],
    ])
  })
})
