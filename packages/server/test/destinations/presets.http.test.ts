import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { datadogSites } from '../../src/destinations/templates/index.ts'
import {
  createDestination,
  exactSchedule,
  noPoll,
  publish,
  workflowFailed,
  workflowFailedWith,
} from '../delivery/fixtures.ts'
import { createClock } from '../helpers/clock.ts'
import { startReceiver, statuses, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

/*
 * Each preset's request checked against the receiving service's documented contract. The real
 * services are out of reach, so each preset's URL override points at a local receiver.
 */

const publicUrl = 'https://switchyard.example.com'
const clock = createClock()
let server: TestServer
const receivers: Receiver[] = []

beforeAll(async () => {
  server = await startTestServer({
    now: clock.now,
    config: { ...noPoll, ...exactSchedule, publicUrl },
  })
})
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})
afterAll(() => server.close())

async function receiver(...codes: number[]): Promise<Receiver> {
  const r = await startReceiver(codes.length > 0 ? statuses(...codes) : undefined)
  receivers.push(r)
  return r
}

/** A project of its own per test, so only the test's destination gets its events. */
async function project(): Promise<{ key: string; projectId: string }> {
  const { apiKey, projectId } = await server.createProject('Acme')
  return { key: apiKey, projectId }
}

async function deliverThrough(template: Record<string, unknown>, event = workflowFailed) {
  const target = await receiver()
  const { key, projectId } = await project()
  await createDestination(server, key, {
    events: ['workflow.failed'],
    template: { ...template, url: target.url },
  })
  await publish(server, key, event)
  const [request] = await target.waitForRequests(1)
  return { request: request!, body: JSON.parse(request!.body), projectId, key }
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings)
  return []
}

const executionPath = `monitoring/workflows/${workflowFailed.data.workflow.id}/executions/${workflowFailed.data.execution.id}`

describe('slack preset', () => {
  it('posts {text, blocks} with the message, user, integration, workflow and a link', async () => {
    const { request, body, projectId } = await deliverThrough({ preset: 'slack' })
    expect(request.headers['content-type']).toBe('application/json')
    // Slack asks for `text` whenever blocks are sent: it is the notification and fallback.
    expect(body.text).toBe(
      'Workflow “Test Workflow Name” failed for User &lt;User ID&gt;: Test error message',
    )
    expect(body.blocks.length).toBeLessThanOrEqual(50)
    const fields = body.blocks.flatMap((b: any) => b.fields ?? []).map((f: any) => f.text)
    expect(fields).toEqual([
      '*Project*\nAcme',
      '*User*\n&lt;User ID&gt;',
      '*Integration*\nslack',
      '*Workflow*\nTest Workflow Name',
    ])
    const button = body.blocks.find((b: any) => b.type === 'actions').elements[0]
    expect(button.url).toBe(`${publicUrl}/projects/${projectId}/${executionPath}`)
  })

  it("keeps within Slack's block limits and escapes mrkdwn in inserted text", async () => {
    const error = '<!channel> & '.repeat(1000)
    const { body } = await deliverThrough({ preset: 'slack' }, workflowFailedWith({ error }))
    const sections = body.blocks.filter((b: any) => b.type === 'section')
    for (const section of sections) {
      if (section.text) expect(section.text.text.length).toBeLessThanOrEqual(3000)
      expect((section.fields ?? []).length).toBeLessThanOrEqual(10)
      for (const field of section.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000)
    }
    expect(JSON.stringify(body)).not.toContain('<!channel>')
  })

  it('shows only the origin of the webhook URL on read', async () => {
    const target = await receiver()
    const { key } = await project()
    const created = await createDestination(server, key, {
      events: ['workflow.failed'],
      template: { preset: 'slack', url: target.url },
    })
    expect(created.url).toBe(`${new URL(target.url).origin}/[redacted]`)
    expect(created.template).toEqual({ preset: 'slack', url: '[redacted]' })
  })
})

describe('datadog preset', () => {
  it("targets the chosen site's logs intake v2 and hides the API key", async () => {
    const { key } = await project()
    const created = await createDestination(server, key, {
      events: ['*'],
      template: { preset: 'datadog', apiKey: 'dd-secret', site: 'datadoghq.eu' },
    })
    expect(created).toMatchObject({
      url: 'https://http-intake.logs.datadoghq.eu/api/v2/logs',
      format: 'monitoring',
      template: { preset: 'datadog', apiKey: '[redacted]', site: 'datadoghq.eu' },
    })
  })

  it('sends logs the intake accepts: DD-API-KEY, ddsource, service, ddtags, status, message', async () => {
    const preset = {
      preset: 'datadog',
      apiKey: 'dd-secret',
      service: 'billing',
      tags: ['env:prod'],
    }
    const { request, body } = await deliverThrough(preset)
    expect(request.headers['dd-api-key']).toBe('dd-secret')
    expect(request.headers['content-type']).toBe('application/json')
    expect(Array.isArray(body)).toBe(true)
    expect(body.length).toBeGreaterThanOrEqual(1)
    expect(body.length).toBeLessThanOrEqual(1000)
    expect(body[0]).toMatchObject({
      ddsource: 'switchyard',
      ddtags: 'event_type:workflow_failure,env:prod',
      service: 'billing',
      status: 'error',
      message: 'Workflow “Test Workflow Name“ failed for User <User ID>',
      timestamp: 1729629642607,
    })
  })

  it('keeps each log within 1 MB when the event is larger', async () => {
    const error = 'e'.repeat(1_000_000)
    const { request, body } = await deliverThrough(
      { preset: 'datadog', apiKey: 'k' },
      workflowFailedWith({ error }),
    )
    expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(1_000_000)
    expect(body[0].switchyard.data.error.length).toBeGreaterThan(900_000)
    expect(body[0].message).toContain('Test Workflow Name')
  })

  it('refuses a site Datadog does not have with 400 invalid_preset', async () => {
    const { key } = await project()
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: { events: ['*'], template: { preset: 'datadog', apiKey: 'k', site: 'datadoghq.mars' } },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'invalid_preset',
      details: [{ path: '/template/site', allowed: [...datadogSites] }],
    })
  })

  it('keeps the stored API key when a read-back preset is sent with [redacted]', async () => {
    const target = await receiver()
    const { key } = await project()
    const created = await createDestination(server, key, {
      events: ['workflow.failed'],
      template: { preset: 'datadog', apiKey: 'dd-secret', url: target.url },
    })
    const patched = await server.api('PATCH', `/v1/destinations/${created.id}`, {
      key,
      body: { template: { ...created.template, service: 'renamed' } },
    })
    expect(patched.status).toBe(200)
    await publish(server, key, workflowFailed)
    const [request] = await target.waitForRequests(1)
    expect(request!.headers['dd-api-key']).toBe('dd-secret')
    expect(JSON.parse(request!.body)[0].service).toBe('renamed')
  })
})

describe('newrelic preset', () => {
  it('targets the US or EU Log API endpoint', async () => {
    const { key } = await project()
    for (const [region, url] of [
      ['US', 'https://log-api.newrelic.com/log/v1'],
      ['EU', 'https://log-api.eu.newrelic.com/log/v1'],
    ]) {
      const created = await createDestination(server, key, {
        events: ['*'],
        template: { preset: 'newrelic', apiKey: 'nr-key', region },
      })
      expect(created.url).toBe(url)
    }
  })

  it('sends the detailed format with Api-Key, within 1 MB and 4,096 characters a value', async () => {
    const error = 'x'.repeat(20_000)
    const { request, body } = await deliverThrough(
      { preset: 'newrelic', apiKey: 'nr-key' },
      workflowFailedWith({ error }),
    )
    expect(request.headers['api-key']).toBe('nr-key')
    expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(1_000_000)
    expect(body[0].common.attributes).toMatchObject({ service: 'switchyard' })
    expect(body[0].logs[0]).toMatchObject({
      timestamp: 1729629642607,
      message: 'Workflow “Test Workflow Name“ failed for User <User ID>',
      attributes: { level: 'error', 'event.type': 'workflow_failure' },
    })
    for (const value of strings(body)) expect(value.length).toBeLessThanOrEqual(4096)
  })

  it('refuses a region other than US and EU', async () => {
    const { key } = await project()
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: { events: ['*'], template: { preset: 'newrelic', apiKey: 'k', region: 'APAC' } },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'invalid_preset',
      details: [{ path: '/template/region' }],
    })
  })
})

const dsn = 'https://0123456789abcdef0123456789abcdef@o447951.ingest.sentry.io/5494031'
const platforms = [
  'as3',
  'c',
  'cfml',
  'cocoa',
  'csharp',
  'elixir',
  'haskell',
  'go',
  'groovy',
  'java',
  'javascript',
  'native',
  'node',
  'objc',
  'other',
  'perl',
  'php',
  'python',
  'ruby',
]

describe('sentry preset', () => {
  it("targets the DSN's store endpoint and hides the DSN", async () => {
    const { key } = await project()
    const created = await createDestination(server, key, {
      events: ['*'],
      template: { preset: 'sentry', dsn },
    })
    expect(created.url).toBe('https://o447951.ingest.sentry.io/api/5494031/store/')
    expect(created.template).toEqual({
      preset: 'sentry',
      dsn: '[redacted]',
      environment: 'production',
      level: 'error',
    })
  })

  it('sends an event the store endpoint accepts', async () => {
    const { request, body } = await deliverThrough({ preset: 'sentry', dsn })
    expect(request.headers['x-sentry-auth']).toMatch(
      /^Sentry sentry_version=7, sentry_client=switchyard\/\S+, sentry_key=0123456789abcdef0123456789abcdef$/,
    )
    expect(body.event_id).toMatch(/^[0-9a-f]{32}$/)
    expect(body.timestamp).toBe('2024-10-22T20:40:42.607Z')
    expect(platforms).toContain(body.platform)
    expect(body).toMatchObject({
      level: 'error',
      logentry: { formatted: 'Workflow “Test Workflow Name“ failed for User <User ID>' },
      tags: {
        event_type: 'workflow_failure',
        project: 'Acme',
        integration: 'slack',
        workflow: 'Test Workflow Name',
      },
      extra: { event: { type: 'workflow_failure' } },
    })
    for (const value of Object.values(body.tags)) expect(typeof value).toBe('string')
    expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(1_000_000)
  })

  it('gives each delivery its own event_id and repeats it on the retry', async () => {
    const target = await receiver(500, 200)
    const { key } = await project()
    await createDestination(server, key, {
      events: ['workflow.failed'],
      template: { preset: 'sentry', dsn, url: target.url },
    })
    await publish(server, key, workflowFailed)
    await target.waitForRequests(1)
    await publish(server, key, workflowFailed)
    await target.waitForRequests(2)
    clock.advance(5_000)
    await server.engine.dispatcher.runOnce()
    const requests = await target.waitForRequests(3)
    const [first, second, retry] = requests.map((r) => ({
      deliveryId: r.headers['webhook-id'],
      eventId: JSON.parse(r.body).event_id,
    }))
    expect(second!.eventId).not.toBe(first!.eventId)
    expect(retry).toEqual(first)
  })

  it('refuses a DSN that does not parse with 400 invalid_preset', async () => {
    const { key } = await project()
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: { events: ['*'], template: { preset: 'sentry', dsn: 'https://o1.ingest.sentry.io/1' } },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'invalid_preset',
      details: [{ path: '/template/dsn', message: expect.stringContaining('public key') }],
    })
  })
})

describe('preset input', () => {
  it.each([
    [{ preset: 'pagerduty' }, '/template/preset'],
    [{ preset: 'datadog' }, '/template/apiKey'],
    [{ preset: 'datadog', apiKey: 'k', region: 'EU' }, '/template/region'],
  ])('refuses %j with 400 invalid_preset at %s', async (template, path) => {
    const { key } = await project()
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: { events: ['*'], template },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'invalid_preset', details: [{ path }] })
  })

  it('refuses a url beside a preset (the preset owns it)', async () => {
    const { key } = await project()
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: { events: ['*'], url: 'https://example.com/', template: { preset: 'sentry', dsn } },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'invalid_url', details: [{ path: '/url' }] })
  })

  it('refuses a preset in a format other than monitoring', async () => {
    const { key } = await project()
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: { events: ['*'], format: 'standard', template: { preset: 'sentry', dsn } },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'invalid_preset', details: [{ path: '/format' }] })
  })

  it('tests an unsaved preset configuration before it is saved', async () => {
    const target = await receiver()
    const { key } = await project()
    const res = await server.api('POST', '/v1/destinations/test', {
      key,
      body: { template: { preset: 'sentry', dsn, url: target.url } },
    })
    expect(res.body).toMatchObject({ outcome: 'delivered', status: 200 })
    expect(res.body.requestHeaders['x-sentry-auth']).toBe('[redacted]')
    const [request] = await target.waitForRequests(1)
    expect(JSON.parse(request!.body)).toMatchObject({
      event_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      tags: { event_type: 'webhook_test' },
    })
  })

  it('tests a saved preset destination', async () => {
    const target = await receiver()
    const { key } = await project()
    const created = await createDestination(server, key, {
      events: ['*'],
      template: { preset: 'slack', url: target.url },
    })
    const res = await server.api('POST', `/v1/destinations/${created.id}/test`, { key })
    expect(res.body).toMatchObject({ outcome: 'delivered', status: 200 })
    const [request] = await target.waitForRequests(1)
    expect(JSON.parse(request!.body).text).toBe('This is a test event from Switchyard.')
  })
})
