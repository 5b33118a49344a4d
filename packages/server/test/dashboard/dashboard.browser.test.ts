import { Redis } from 'ioredis'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { waitForDispatch } from '../../src/delivery/index.ts'
import { defaultDashboardDir } from '../../src/http/dashboard.ts'
import { markRoutingFailures } from '../../src/inbound/request-store.ts'
import { chromiumPath, chromiumPresent } from '../helpers/browser.ts'
import { createClock } from '../helpers/clock.ts'
import { startReceiver, statuses, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { waitForOutcome } from '../inbound/helpers.ts'

const hasChromium = chromiumPresent('the dashboard browser tests')
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
]
// Screenshots of each page land in the repo's test-results/ (ignored by git), as issue 7 asks.
const screenshotDir =
  process.env.SWITCHYARD_SCREENSHOTS_DIR ??
  new URL('../../../../test-results/dashboard/', import.meta.url).pathname

let server: TestServer
let browser: Browser
const contexts: BrowserContext[] = []
const receivers: Receiver[] = []
const consoleErrors: string[] = []

beforeAll(async () => {
  if (!hasChromium) return
  if (!existsSync(path.join(defaultDashboardDir, 'index.html')))
    throw new Error(
      `The dashboard is not built (${defaultDashboardDir}): run npm install at the repository root, or npm run build -w @switchyard/dashboard`,
    )
  ;[server, browser] = await Promise.all([
    startTestServer(),
    chromium.launch({ executablePath: chromiumPath, args: chromiumArgs }),
  ])
})
beforeEach((context) => context.skip(!hasChromium, `no Chromium at ${chromiumPath}`))
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()))
  await Promise.all(receivers.splice(0).map((r) => r.close()))
  const errors = consoleErrors.splice(0)
  expect(errors, 'the browser console logged errors').toEqual([])
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

/** A fresh tab (its own session storage) that fails the test on any console error. */
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  contexts.push(context)
  const page = await context.newPage()
  page.setDefaultTimeout(10_000)
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    // The role probe: GET /v1/api-keys answers 403 to a key that is not admin, by design.
    if (message.location().url.includes('/v1/api-keys') && message.text().includes('403')) return
    consoleErrors.push(message.text())
  })
  return page
}

/** Opens `path` through a one-time sign-in link and waits for the signed-in frame. */
async function signedIn(key: string, pagePath = '/'): Promise<Page> {
  const page = await newPage()
  await page.goto(`${server.url}${pagePath}#key=${encodeURIComponent(key)}`)
  await page.getByRole('navigation', { name: 'Main' }).waitFor()
  return page
}

async function receiver(): Promise<Receiver> {
  const r = await startReceiver()
  receivers.push(r)
  return r
}

/** A project with one destination aimed at a fresh receiver, and a delivered event. */
async function deliveredEvent() {
  const target = await receiver()
  const { apiKey } = await server.createProject()
  const destination = await server.api('POST', '/v1/destinations', {
    key: apiKey,
    body: { name: 'Orders service', url: target.url, events: ['*'] },
  })
  await server.api('POST', '/v1/events', { key: apiKey, body: { type: 'webhook.test', data: {} } })
  await target.waitForRequests(1)
  const list = await server.api('GET', '/v1/deliveries', { key: apiKey })
  return { apiKey, target, destinationId: destination.body.id, deliveryId: list.body.data[0].id }
}

it('signs in from a one-time link and takes the key out of the URL', async () => {
  const { apiKey } = await server.createProject()
  const page = await signedIn(apiKey)
  expect(page.url()).toBe(`${server.url}/`)
  expect(await page.evaluate(() => sessionStorage.getItem('switchyard.apiKey'))).toBe(apiKey)
  expect(await page.evaluate(() => localStorage.length)).toBe(0)
  await page.reload()
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  expect(await page.getByTestId('role').textContent()).toBe('admin key')
})

it('sends a test to the destination being created and shows the attempt', async () => {
  const target = await receiver()
  const { apiKey } = await server.createProject()
  const page = await signedIn(apiKey, '/destinations/new')
  await page.getByLabel('URL').fill(target.url)
  await page.getByRole('button', { name: 'Preview with a test event' }).click()
  const attempt = page.getByTestId('attempt')
  await attempt.getByText('delivered').waitFor()
  expect(await attempt.textContent()).toContain('HTTP 200')
  const [request] = await target.waitForRequests(1)
  expect(JSON.parse(request!.body)).toMatchObject({ type: 'webhook.test' })
})

it('previews and creates a Slack preset destination aimed at a receiver', async () => {
  const target = await receiver()
  const { apiKey } = await server.createProject()
  const page = await signedIn(apiKey, '/destinations/new')
  await page
    .getByRole('radiogroup', { name: 'Payload' })
    .getByText('Preset', { exact: true })
    .click()
  expect(await page.getByLabel('Service').inputValue()).toBe('slack')
  await page.getByLabel('Incoming webhook URL').fill(target.url)
  await page.getByRole('button', { name: 'Preview with a test event' }).click()
  const attempt = page.getByTestId('attempt')
  await attempt.getByText('delivered').waitFor()
  const [request] = await target.waitForRequests(1)
  const body = JSON.parse(request!.body)
  expect(typeof body.text).toBe('string')
  expect(body.blocks).toEqual(
    expect.arrayContaining([expect.objectContaining({ type: 'section' })]),
  )

  await page.getByLabel('Name (optional)').fill('Ops Slack')
  await page.getByRole('button', { name: 'Create destination' }).click()
  await page.getByRole('heading', { name: 'Destination created' }).waitFor()
  const list = await server.api('GET', '/v1/destinations', { key: apiKey })
  expect(list.body.data[0]).toMatchObject({
    name: 'Ops Slack',
    format: 'monitoring',
    template: { preset: 'slack' },
  })
})

it('creates a destination and lists it', async () => {
  const target = await receiver()
  const { apiKey } = await server.createProject()
  const page = await signedIn(apiKey, '/destinations/new')
  await page.getByLabel('URL').fill(target.url)
  await page.getByLabel('Name (optional)').fill('Billing service')
  await page.getByRole('button', { name: 'Create destination' }).click()
  await page.getByRole('heading', { name: 'Destination created' }).waitFor()
  expect(await page.locator('pre.code').textContent()).toMatch(/^whsec_/)
  await page.getByRole('navigation', { name: 'Main' }).getByText('Destinations').click()
  const row = page.getByTestId('destinations-table').getByRole('row', { name: /Billing service/ })
  await row.waitFor()
  expect(await row.textContent()).toContain(target.url)
})

it('creates a Redis Stream destination from the form and shows where it publishes', async () => {
  const { apiKey } = await server.createProject()
  const redis = new Redis('redis://127.0.0.1:6379')
  const stream = `sy-test-dashboard-${Date.now()}`
  await redis.xgroup('CREATE', stream, 'readers', '$', 'MKSTREAM')
  try {
    const page = await signedIn(apiKey, '/destinations/new')
    await page.getByRole('radiogroup', { name: 'Type' }).getByText('Redis Stream').click()
    await page.getByLabel(/Connection URL/).fill('redis://127.0.0.1:6379/0')
    await page.getByLabel(/^Stream/).fill(stream)
    await page.getByRole('button', { name: 'Preview with a test event' }).click()
    await page.getByTestId('attempt').getByText('delivered').waitFor()
    expect(await redis.xlen(stream)).toBe(1)
    await page.getByLabel('Name (optional)').fill('Events stream')
    await page.getByRole('button', { name: 'Create destination' }).click()
    await page.getByRole('heading', { name: 'Destination created' }).waitFor()
    const list = await server.api('GET', '/v1/destinations', { key: apiKey })
    const created = list.body.data.find((d: { name: string }) => d.name === 'Events stream')
    expect(created).toMatchObject({ type: 'redis', broker: { stream } })
    const detail = await signedIn(apiKey, `/destinations/${created.id}`)
    await detail.getByText(`Redis Stream: redis://127.0.0.1:6379/0 stream ${stream}`).waitFor()
  } finally {
    await redis.del(stream, ...(await redis.keys(`${stream}:switchyard-dedupe:*`)))
    await redis.quit()
  }
})

it('shows a delivery to a receiver in Deliveries, with its attempt', async () => {
  const { apiKey } = await deliveredEvent()
  const page = await signedIn(apiKey)
  await page.getByRole('navigation', { name: 'Main' }).getByText('Deliveries').click()
  const row = page.getByTestId('deliveries-table').getByRole('row', { name: /Orders service/ })
  await row.getByText('succeeded').waitFor()
  await row.click()
  const attempt = page.getByTestId('attempt')
  await attempt.getByText('Attempt 1').waitFor()
  expect(await attempt.textContent()).toContain('HTTP 200')
  expect(await page.getByText('webhook-signature').count()).toBeGreaterThan(0)
})

it('disables admin controls for a viewer key and says why', async () => {
  const { apiKey, destinationId } = await deliveredEvent()
  const viewer = await server.api('POST', '/v1/api-keys', {
    key: apiKey,
    body: { name: 'Read only', role: 'viewer' },
  })
  const page = await signedIn(viewer.body.key, `/destinations/${destinationId}`)
  expect(await page.getByTestId('role').textContent()).toBe('read-only key')
  const sendTest = page.getByRole('button', { name: 'Send test' })
  await sendTest.waitFor()
  expect(await sendTest.isDisabled()).toBe(true)
  const tooltip = page.locator('.tooltip', { has: sendTest })
  expect(await tooltip.getAttribute('title')).toMatch(/admin/)
  expect(await page.getByRole('button', { name: 'Delete' }).isDisabled()).toBe(true)
})

it('sends a delivery again with Retry now, under the same webhook-id', async () => {
  const { apiKey, target, deliveryId } = await deliveredEvent()
  const page = await signedIn(apiKey, `/deliveries/${deliveryId}`)
  await page.getByText('Attempt 1').waitFor()
  await page.getByRole('button', { name: 'Retry now' }).click()
  const [first, second] = await target.waitForRequests(2)
  expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id'])
  await page.getByText('Attempt 2').waitFor()
})

it("shows the stats API's figures on the overview", async () => {
  const target = await receiver()
  const { apiKey } = await server.createProject()
  const destination = await server.api('POST', '/v1/destinations', {
    key: apiKey,
    body: { name: 'Stats service', url: target.url, events: ['*'] },
  })
  for (let n = 0; n < 3; n++)
    await server.api('POST', '/v1/events', {
      key: apiKey,
      body: { type: 'webhook.test', data: {} },
    })
  await target.waitForRequests(3)
  const stats = await waitFor(async () => {
    const res = await server.api('GET', '/v1/stats', { key: apiKey })
    return res.body.windows['1h'].firstSuccessMs.count === 3 ? res.body : undefined
  }, 30_000)
  expect(stats.windows['1h'].deliveries.total).toBe(3)
  const page = await signedIn(apiKey)
  const tile = (label: string) => page.locator('.tile', { hasText: label })
  await tile('Deliveries').locator('.tile-value').getByText('3', { exact: true }).waitFor()
  expect(await tile('Deliveries').locator('.tile-sub').textContent()).toContain('3 last 24 h')
  expect(await tile('Success rate').locator('.tile-value').textContent()).toBe('100%')
  // Attempt and first-success latency are told apart, each as p50 / p95.
  const ms = String.raw`(\d+ ms|\d+(\.\d)? s)`
  for (const label of ['Attempt latency p50 / p95', 'First success p50 / p95'])
    expect(await tile(label).locator('.tile-value').textContent()).toMatch(
      new RegExp(`^${ms} / ${ms}$`),
    )
  const row = page.getByRole('row', { name: /Stats service/ })
  expect(await row.locator('td').last().textContent()).toBe(
    String(
      stats.destinations.find((d: any) => d.destinationId === destination.body.id).windows['24h']
        .deliveries.total,
    ),
  )
})

it('disables a destination and enables it again from the overview', async () => {
  const { apiKey, destinationId } = await deliveredEvent()
  const page = await signedIn(apiKey, `/destinations/${destinationId}`)
  await page.getByRole('button', { name: 'Disable' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Reason (shown on the overview)').fill('receiver down for maintenance')
  await dialog.getByRole('button', { name: 'Disable' }).click()
  await page.getByRole('button', { name: 'Enable' }).waitFor()
  await page.getByRole('navigation', { name: 'Main' }).getByText('Overview').click()
  const banner = page.getByTestId('disabled-destination')
  await banner.getByText('receiver down for maintenance').waitFor()
  await banner.getByRole('button', { name: 'Enable' }).click()
  await banner.waitFor({ state: 'detached' })
  const after = await server.api('GET', `/v1/destinations/${destinationId}`, { key: apiKey })
  expect(after.body.enabled).toBe(true)
})

it('creates a trigger step by step and shows its URL', async () => {
  const { apiKey } = await server.createProject()
  const page = await signedIn(apiKey, '/triggers/new')
  await page.getByLabel('Integration').fill('shopify')
  await page.getByLabel('Name', { exact: true }).fill('orders_create')
  for (const step of ['Setup', 'Response', 'Routing', 'Verification', 'Review']) {
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByRole('heading', { name: step }).waitFor()
  }
  await page.getByRole('button', { name: 'Create trigger' }).click()
  await page.getByRole('heading', { name: 'Trigger created' }).waitFor()
  expect(await page.locator('pre.code').textContent()).toMatch(/\/hooks\/[0-9a-f-]{36}$/)
})

it('shows a request to a trigger live in its listen view', async () => {
  const { apiKey } = await server.createProject()
  const trigger = await server.api('POST', '/v1/triggers', {
    key: apiKey,
    body: { integration: 'custom', name: 'orders', level: 'app' },
  })
  const page = await signedIn(apiKey, `/triggers/${trigger.body.id}`)
  await page.getByRole('button', { name: 'Listen for events' }).click()
  await page.getByText('Listening…').waitFor()
  const sent = await fetch(`${server.url}/hooks/${trigger.body.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order: 42 }),
  })
  expect(sent.status).toBe(200)
  const received = page.getByTestId('listen').getByTestId('inbound-request').first()
  await received.waitFor()
  expect(await received.textContent()).toContain(`POST /hooks/${trigger.body.id}`)
})

it('shows a request that ended failed, filters by it, and replays it', async () => {
  const { apiKey } = await server.createProject()
  const trigger = await server.api('POST', '/v1/triggers', {
    key: apiKey,
    body: { integration: 'custom', name: 'orders', level: 'app' },
  })
  const sent = await fetch(`${server.url}/hooks/${trigger.body.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order: 42 }),
  })
  expect(sent.status).toBe(200)
  const request = await waitForOutcome(server, apiKey, trigger.body.id)
  // What the router records at its last failed try (routing-failures.http.test.ts drives it).
  await markRoutingFailures(
    server.engine.db.kysely,
    [{ id: request.id, reason: 'routing failed 5 times: the store refused it', retryAt: null }],
    new Date(),
  )
  const page = await signedIn(apiKey, `/triggers/${trigger.body.id}`)
  await page.getByLabel('Outcome').selectOption('failed')
  const shown = page.locator('[data-testid="inbound-request"].inbound-failed')
  await shown.locator('.pill-bad', { hasText: 'failed' }).waitFor()
  expect(await shown.textContent()).toContain('routing failed 5 times')
  await shown.getByRole('button', { name: 'Replay' }).click()
  await page.getByText('No failed requests').waitFor()
  await waitForOutcome(server, apiKey, trigger.body.id, ['routed', 'unrouted'])
})

it('opens an event and a trigger from their lists by a click anywhere on the row', async () => {
  const { apiKey } = await deliveredEvent()
  const trigger = await server.api('POST', '/v1/triggers', {
    key: apiKey,
    body: { integration: 'custom', name: 'Pushes', level: 'app' },
  })
  expect(trigger.status).toBe(201)
  const events = await server.api('GET', '/v1/events', { key: apiKey })
  const page = await signedIn(apiKey, '/events')
  await page.getByTestId('events-table').getByRole('cell', { name: 'webhook.test' }).waitFor()
  // The Id cell holds no link: the row itself navigates.
  await page.getByTestId('events-table').getByTitle(events.body.data[0].id).click()
  await page.waitForURL(`**/events/${events.body.data[0].id}`)
  await page.goto(`${server.url}/triggers`)
  await page.getByTestId('triggers-table').getByRole('cell', { name: 'app', exact: true }).click()
  await page.waitForURL(`**/triggers/${trigger.body.id}`)
})

it("shows an event's body as each wire format sends it", async () => {
  const { apiKey } = await deliveredEvent()
  const events = await server.api('GET', '/v1/events', { key: apiKey })
  const page = await signedIn(apiKey)
  await page.goto(`${server.url}/events/${events.body.data[0].id}`)
  await page.getByText('Body sent (before any template)').waitFor()
  await page.getByRole('tab', { name: 'managed-sync' }).click()
  await page.getByText('"event": "webhook_verification"').first().waitFor()
})

it('renders every page with its heading', async () => {
  const { apiKey, destinationId, deliveryId } = await deliveredEvent()
  const events = await server.api('GET', '/v1/events', { key: apiKey })
  const pages: [name: string, path: string, heading: string | RegExp][] = [
    ['overview', '/', 'Overview'],
    ['destinations', '/destinations', 'Destinations'],
    ['destination', `/destinations/${destinationId}`, /Orders service/],
    ['destination-new', '/destinations/new', 'New destination'],
    ['sync-webhook', '/webhook', 'Sync webhook'],
    ['deliveries', '/deliveries', 'Deliveries'],
    ['delivery', `/deliveries/${deliveryId}`, /webhook\.test/],
    ['events', '/events', 'Events'],
    ['event', `/events/${events.body.data[0].id}`, /webhook\.test/],
    ['syncs', '/syncs', 'Syncs'],
    ['triggers', '/triggers', 'Triggers'],
    ['trigger-new', '/triggers/new', 'New trigger'],
  ]
  const page = await signedIn(apiKey)
  for (const [name, pagePath, heading] of pages) {
    await page.goto(`${server.url}${pagePath}`)
    await page.getByRole('heading', { level: 1, name: heading }).waitFor()
    await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true })
  }
})

it('draws the sidebar down the whole of a long page and keeps its navigation in view', async () => {
  const { apiKey } = await server.createProject()
  const page = await signedIn(apiKey, '/destinations/new')
  await page.getByRole('heading', { name: 'New destination' }).waitFor()
  const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight)
  expect(pageHeight).toBeGreaterThan(800)
  const sidebar = await page.locator('aside.sidebar').boundingBox()
  // scrollHeight is whole pixels; the box may be half a pixel less.
  expect(sidebar!.height).toBeGreaterThan(pageHeight - 1)
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
  const nav = await page.getByRole('navigation', { name: 'Main' }).boundingBox()
  // boundingBox is relative to the viewport: the navigation is still on screen.
  expect(nav!.y).toBeGreaterThanOrEqual(0)
  expect(nav!.y).toBeLessThan(800)
})

it("shows attempt latency without a replayed delivery's age, and first-success latency with it", async () => {
  const clock = createClock()
  const local = await startTestServer({ now: clock.now })
  try {
    const target = await receiver()
    target.answer(statuses(500, 200))
    const { apiKey } = await local.createProject()
    await local.api('PUT', '/v1/settings', { key: apiKey, body: { retrySchedule: [] } })
    await local.api('POST', '/v1/destinations', {
      key: apiKey,
      body: { url: target.url, events: ['*'] },
    })
    const failed = waitForDispatch(local.engine.dispatcher, 'failed', () => true, 30_000)
    await local.api('POST', '/v1/events', { key: apiKey, body: { type: 'webhook.test', data: {} } })
    const { deliveryId } = await failed
    // Replayed 40 minutes later: counted from the delivery's creation it took 40 min.
    clock.advance(40 * 60_000)
    const delivered = waitForDispatch(local.engine.dispatcher, 'delivered', () => true, 30_000)
    await local.api('POST', `/v1/deliveries/${deliveryId}/retry`, { key: apiKey })
    await delivered
    const page = await newPage()
    await page.goto(`${local.url}/#key=${encodeURIComponent(apiKey)}`)
    const tile = page.locator('.tile', { hasText: 'Attempt latency' }).locator('.tile-value')
    await page.locator('.tile', { hasText: 'Deliveries' }).getByText('1', { exact: true }).waitFor()
    const ms = String.raw`(\d+ ms|\d+(\.\d)? s)`
    expect(await tile.textContent()).toMatch(new RegExp(`^${ms} / ${ms}$`))
    // First success is the event's wait for its first 2xx: the 40 minutes show there, apart.
    const first = page.locator('.tile', { hasText: 'First success' }).locator('.tile-value')
    expect(await first.textContent()).toMatch(/^40 min \d+ s \/ 40 min \d+ s$/)
  } finally {
    await local.close()
  }
})

it('shows a destination its template read-only, and a preset with its options', async () => {
  const { apiKey } = await server.createProject()
  const template = '{"text": "{{$.event.type}} happened"}'
  const custom = await server.api('POST', '/v1/destinations', {
    key: apiKey,
    body: { url: 'https://example.com/hook', events: ['*'], template },
  })
  const slack = await server.api('POST', '/v1/destinations', {
    key: apiKey,
    body: {
      events: ['*'],
      format: 'monitoring',
      template: { preset: 'slack', url: 'https://hooks.slack.com/services/T0/B0/secret' },
    },
  })
  const page = await signedIn(apiKey, `/destinations/${custom.body.id}`)
  expect(await page.getByTestId('template').textContent()).toBe(template)
  await page.goto(`${server.url}/destinations/${slack.body.id}`)
  const shown = page.getByTestId('template')
  await shown.getByText('Slack').waitFor()
  expect(await shown.textContent()).toContain('[redacted]')
  expect(await shown.textContent()).not.toContain('secret')
})

it('shows each attempt with the URL it was sent to, after the destination moved', async () => {
  const { apiKey, target, destinationId, deliveryId } = await deliveredEvent()
  await server.api('PATCH', `/v1/destinations/${destinationId}`, {
    key: apiKey,
    body: { url: 'https://example.com/moved' },
  })
  const page = await signedIn(apiKey, `/deliveries/${deliveryId}`)
  await page.getByText('Attempt 1').waitFor()
  expect(await page.getByTestId('attempt-url').textContent()).toBe(`POST ${target.url}`)
  expect(await page.getByTestId('request-url').textContent()).toBe(`POST ${target.url}`)
  await page.getByText('The destination sends to https://example.com/moved now.').waitFor()
})

it('shows no next run for a sync an outside worker runs', async () => {
  const { apiKey } = await server.createProject()
  const sync = await server.api('POST', '/v1/syncs', {
    key: apiKey,
    body: { integration: 'googledrive', pipeline: 'files', userId: 'user_1' },
  })
  expect(sync.body.runBy).toBe('worker')
  const page = await signedIn(apiKey, '/syncs')
  const cell = page.getByTestId('syncs-table').getByTestId('next-run')
  await cell.waitFor()
  expect(await cell.textContent()).toBe('– (your worker)')
})
