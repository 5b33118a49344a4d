/* global process, console, Response */
// Run by pack.cli.test.ts inside the scratch project, on Node 20 and on Node 24: imports the
// installed @switchyard/sdk as any app would and prints what it saw as one JSON line.
// argv[2]: { secret, body, headers, vector: { secret, body, headers, timestamp } }, signed by
// the test with node:crypto, independently of the SDK.
import { createClient, verifyWebhook, WebhookVerificationError } from '@switchyard/sdk'
import { expressWebhook } from '@switchyard/sdk/express'
import { fastifyWebhook } from '@switchyard/sdk/fastify'
import { honoWebhook } from '@switchyard/sdk/hono'

const input = JSON.parse(process.argv[2])

async function refusal(run) {
  try {
    await run()
    return 'accepted'
  } catch (error) {
    return error instanceof WebhookVerificationError ? error.code : String(error)
  }
}

const vector = await verifyWebhook(input.vector.body, input.vector.headers, input.vector.secret, {
  now: () => new Date(input.vector.timestamp * 1000),
})
const event = await verifyWebhook(input.body, input.headers, input.secret)
const tampered = await refusal(() => verifyWebhook(input.body + ' ', input.headers, input.secret))

const requests = []
const client = createClient({
  baseUrl: 'http://switchyard.test/',
  apiKey: 'sy_test',
  fetch: async (url, init) => {
    requests.push({ url, method: init.method, headers: init.headers, body: init.body })
    return new Response(JSON.stringify({ id: 'evt_1', type: 'webhook.test' }), {
      status: 202,
      headers: { 'content-type': 'application/json' },
    })
  },
})
const published = await client.events.create({ type: 'webhook.test', data: {} })

console.log(
  JSON.stringify({
    node: process.version,
    vector,
    event,
    tampered,
    published,
    request: requests[0],
    adapters: [expressWebhook, fastifyWebhook, honoWebhook].map((f) => typeof f),
  }),
)
