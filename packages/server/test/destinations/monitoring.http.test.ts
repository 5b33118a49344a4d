import { readFileSync } from 'node:fs'
import { Webhook } from 'standardwebhooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createDestination, noPoll, publish, workflowFailed } from '../delivery/fixtures.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

// The seed's executionUrl starts with Paragon's dashboard URL: make it ours.
const publicUrl = 'https://dashboard.useparagon.com/connect'
const seedProjectId = '613b038f-e9bf-49ec-bc58-ba8d620754c7'
const seed = readFileSync(
  new URL('../fixtures/seeds/monitoring-workflow-failure.json', import.meta.url),
  'utf8',
)

let server: TestServer
const receivers: Receiver[] = []

beforeAll(async () => {
  server = await startTestServer({ config: { ...noPoll, publicUrl } })
})
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})
afterAll(() => server.close())

async function receiver(): Promise<Receiver> {
  const r = await startReceiver()
  receivers.push(r)
  return r
}

async function refusal(body: Record<string, unknown>) {
  const { apiKey } = await server.createProject()
  const res = await server.api('POST', '/v1/destinations', { key: apiKey, body })
  expect(res.status).toBe(400)
  return res.body.error
}

describe('workflow.failed end to end', () => {
  it("delivers the Event Destinations document's workflow_failure example byte for byte", async () => {
    const target = await receiver()
    const { apiKey, projectId } = await server.createProject('Test Project Name')
    await createDestination(server, apiKey, {
      url: target.url,
      events: ['workflow_failure'],
      format: 'monitoring',
    })
    await publish(server, apiKey, workflowFailed)
    const [request] = await target.waitForRequests(1)
    const expected = JSON.parse(seed.replaceAll(seedProjectId, projectId))
    expect(request!.body).toBe(JSON.stringify(expected))
  })
})

describe('custom templates', () => {
  const template = String.raw`{
  "summary": "Alert: {{$.event.message}}",
  "error": {{$.event.data.error}},
  "step": {{$.event.data.stepExecution}},
  "id": "{{uuid()}}",
  "sentAt": {{now()}}
}`

  it('renders the body and header placeholders over the event, and signs what it sends', async () => {
    const target = await receiver()
    const { apiKey } = await server.createProject()
    const destination = await createDestination(server, apiKey, {
      url: target.url,
      events: ['workflow.failed'],
      format: 'monitoring',
      template,
      headers: { 'X-Event-Type': '{{$.event.type}}', 'X-Team': 'ops' },
    })
    expect(destination.template).toBe(template)
    await publish(server, apiKey, workflowFailed)
    const [request] = await target.waitForRequests(1)
    expect(JSON.parse(request!.body)).toStrictEqual({
      summary: 'Alert: Workflow “Test Workflow Name“ failed for User <User ID>',
      error: 'Test error message',
      step: {
        stepId: workflowFailed.data.step.id,
        instanceId: workflowFailed.data.step.instanceId,
        startTime: 1729629642606,
        endTime: 1729629642606,
      },
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
    expect(request!.headers['x-event-type']).toBe('workflow_failure')
    expect(request!.headers['x-team']).toBe('ops')
    new Webhook(destination.secret).verify(request!.body, request!.headers as never)
  })

  it('sends the event itself for the default template {{$.event}}', async () => {
    const plain = await receiver()
    const templated = await receiver()
    const { apiKey } = await server.createProject()
    const base = { events: ['workflow.failed'], format: 'monitoring' }
    await createDestination(server, apiKey, { ...base, url: plain.url })
    await createDestination(server, apiKey, {
      ...base,
      url: templated.url,
      template: '{{$.event}}',
    })
    await publish(server, apiKey, workflowFailed)
    const [[a], [b]] = await Promise.all([plain.waitForRequests(1), templated.waitForRequests(1)])
    expect(b!.body).toBe(a!.body)
  })

  it('refuses a template that does not parse, with the line and column', async () => {
    const error = await refusal({
      url: 'https://example.com/',
      events: ['*'],
      template: '{\n  "a": {{$.event.type}\n}',
    })
    expect(error).toMatchObject({
      code: 'invalid_template',
      message: expect.stringContaining('/template at line 2, column 8'),
      details: [{ path: '/template', line: 2, column: 8, offset: 9 }],
    })
  })

  it('refuses a path with more than one recursive descent, which would stall the dispatcher', async () => {
    const error = await refusal({
      url: 'https://example.com/',
      events: ['*'],
      template: '{"all": {{$.event..*..*}}}',
    })
    expect(error).toMatchObject({
      code: 'invalid_template',
      details: [
        {
          path: '/template',
          line: 1,
          column: 9,
          message: expect.stringContaining('recursive descent (..) may appear once'),
        },
      ],
    })
  })

  it("refuses a path no event of the destination's format has", async () => {
    const error = await refusal({
      url: 'https://example.com/',
      events: ['workflow.failed'],
      format: 'monitoring',
      template: '{"error": {{$.event.data.eror}}}',
    })
    expect(error).toMatchObject({
      code: 'invalid_template',
      details: [
        {
          path: '/template',
          line: 1,
          column: 11,
          message: expect.stringContaining('$.event.data.eror'),
        },
      ],
    })
  })

  it("refuses another format's field (standard bodies have no message)", async () => {
    const error = await refusal({
      url: 'https://example.com/',
      events: ['workflow.failed'],
      format: 'standard',
      template: '{"text": "{{$.event.message}}"}',
    })
    expect(error).toMatchObject({
      code: 'invalid_template',
      details: [{ path: '/template', column: 11 }],
    })
  })

  it('refuses a header placeholder that never resolves, naming the header', async () => {
    const error = await refusal({
      url: 'https://example.com/',
      events: ['*'],
      headers: { 'X-Event': 'type={{$.event.kind}}' },
    })
    expect(error).toMatchObject({
      code: 'invalid_template',
      details: [{ path: '/headers/X-Event', column: 6 }],
    })
  })

  it('tests an unsaved template before it is saved', async () => {
    const target = await receiver()
    const { apiKey } = await server.createProject()
    const res = await server.api('POST', '/v1/destinations/test', {
      key: apiKey,
      body: { url: target.url, format: 'monitoring', template: '{"text": "{{$.event.message}}"}' },
    })
    expect(res.body).toMatchObject({ outcome: 'delivered', status: 200 })
    const [request] = await target.waitForRequests(1)
    expect(JSON.parse(request!.body)).toStrictEqual({
      text: 'This is a test event from Switchyard.',
    })
  })
})
