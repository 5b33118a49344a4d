import { expect } from 'vitest'
import type { TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'

/** The public URL test servers are configured with: providers sign the URL they called. */
export const publicUrl = 'https://hooks.example.com'

/** Config for inbound test servers: a fixed public URL and a secret key (PostgreSQL needs one). */
export const inboundConfig = { publicUrl, secretKey: 'inbound-test-secret-key' }

/** Creates a trigger over HTTP and returns the API's answer. */
export async function createTrigger(
  server: TestServer,
  key: string,
  body: Record<string, unknown>,
) {
  const res = await server.api('POST', '/v1/triggers', {
    key,
    body: { integration: 'custom', name: 'event', level: 'app', ...body },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body as { id: string; url: string } & Record<string, any>
}

export interface HookCall {
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  query?: string
}

/** Sends a provider request to /hooks/:triggerId; answers status, headers and body text. */
export async function sendHook(server: TestServer, triggerId: string, call: HookCall = {}) {
  const path = `/hooks/${triggerId}${call.query ? `?${call.query}` : ''}`
  const res = await fetch(server.url + path, {
    method: call.method ?? 'POST',
    headers: call.headers,
    body:
      typeof call.body === 'string' || call.body === undefined
        ? call.body
        : new Uint8Array(call.body),
  })
  return { status: res.status, headers: res.headers, text: await res.text() }
}

/** The path a provider signs for a trigger (the public URL + /hooks/:id [+ query]). */
export const hookUrl = (triggerId: string, query?: string) =>
  `${publicUrl}/hooks/${triggerId}${query ? `?${query}` : ''}`

/** The trigger's logged requests, newest first. */
export async function inboundRequests(server: TestServer, key: string, triggerId: string) {
  const res = await server.api('GET', `/v1/inbound-requests?triggerId=${triggerId}`, { key })
  expect(res.status).toBe(200)
  return res.body.data as any[]
}

/** Waits until the trigger's newest request reaches one of `outcomes` (the router runs after the answer). */
export async function waitForOutcome(
  server: TestServer,
  key: string,
  triggerId: string,
  outcomes: string[] = ['routed', 'unrouted'],
) {
  return waitFor(async () => {
    const [latest] = await inboundRequests(server, key, triggerId)
    return latest && outcomes.includes(latest.outcome) ? latest : undefined
  })
}

/** The trigger.received events of the project, oldest first. */
export async function triggerEvents(server: TestServer, key: string) {
  const res = await server.api('GET', '/v1/events?type=trigger.received&limit=500', { key })
  return (res.body.data as any[]).reverse()
}
