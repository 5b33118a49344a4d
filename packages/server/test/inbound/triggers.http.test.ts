import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/store/index.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createTrigger, inboundConfig, sendHook } from './helpers.ts'

let server: TestServer
let key: string
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

const slackTrigger = {
  integration: 'slack',
  name: 'message_posted',
  level: 'app',
  setup: { mode: 'manual' },
  response: { preset: 'slack' },
  verification: { preset: 'slack', secrets: ['8f742231b10e8888abcd99yyyzzz85a5'] },
  routing: { from: 'body', path: '$.team_id' },
}

const invalid = async (body: Record<string, unknown>) => {
  const res = await server.api('POST', '/v1/triggers', {
    key,
    body: { integration: 'x', name: 'n', level: 'app', ...body },
  })
  expect(res.status).toBe(400)
  return res.body.error
}

describe('triggers', () => {
  it("creates the DESIGN document's example with its URL and masked secret", async () => {
    const res = await server.api('POST', '/v1/triggers', { key, body: slackTrigger })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      ...slackTrigger,
      url: `https://hooks.example.com/hooks/${res.body.id}`,
      verification: { preset: 'slack', secrets: ['…85a5'] },
      bodyLimitBytes: 1048576,
    })
    const read = await server.api('GET', `/v1/triggers/${res.body.id}`, { key })
    expect(read.body).toEqual(res.body)
  })

  it('stores literal secrets encrypted', async () => {
    const created = await createTrigger(server, key, {
      verification: { preset: 'github', secrets: ['plaintext-secret-value-42'] },
    })
    const { rows } = await sql<{ v: string }>`
      select verification::text as v from triggers where id = ${created.id}`.execute(
      server.engine.db.kysely,
    )
    expect(rows[0]!.v).not.toContain('plaintext-secret-value-42')
  })

  it('gives user-level triggers a URL with ?id={credentialId}', async () => {
    const trigger = await createTrigger(server, key, { level: 'user' })
    expect(trigger.url).toBe(`https://hooks.example.com/hooks/${trigger.id}?id={credentialId}`)
  })

  it('lists, patches and deletes', async () => {
    const { apiKey } = await server.createProject('CRUD')
    const a = await createTrigger(server, apiKey, { name: 'a' })
    const b = await createTrigger(server, apiKey, { name: 'b' })
    const page = await server.api('GET', '/v1/triggers?limit=1', { key: apiKey })
    expect(page.body.data.map((t: any) => t.id)).toEqual([b.id])
    const next = await server.api('GET', `/v1/triggers?limit=1&cursor=${page.body.nextCursor}`, {
      key: apiKey,
    })
    expect(next.body.data.map((t: any) => t.id)).toEqual([a.id])
    const patched = await server.api('PATCH', `/v1/triggers/${a.id}`, {
      key: apiKey,
      body: { name: 'renamed', response: 'monday' },
    })
    expect(patched.body).toMatchObject({ name: 'renamed', response: { preset: 'monday' } })
    expect((await server.api('DELETE', `/v1/triggers/${a.id}`, { key: apiKey })).status).toBe(204)
    expect((await server.api('GET', `/v1/triggers/${a.id}`, { key: apiKey })).status).toBe(404)
  })

  it('keeps verification secrets across a patch of other fields', async () => {
    const t = await createTrigger(server, key, {
      verification: {
        preset: 'stripe',
        secrets: ['whsec_keep_me_around_1234'],
        toleranceSeconds: 60,
      },
    })
    const patched = await server.api('PATCH', `/v1/triggers/${t.id}`, {
      key,
      body: { name: 'still-signed' },
    })
    expect(patched.body.verification).toEqual({
      preset: 'stripe',
      secrets: ['…1234'],
      toleranceSeconds: 60,
    })
  })

  it("answers 404 for another project's trigger and for ids that are not UUIDs", async () => {
    const { apiKey } = await server.createProject('Other')
    const t = await createTrigger(server, key, {})
    expect((await server.api('GET', `/v1/triggers/${t.id}`, { key: apiKey })).status).toBe(404)
    expect((await server.api('DELETE', `/v1/triggers/${t.id}`, { key: apiKey })).status).toBe(404)
    expect((await server.api('GET', '/v1/triggers/not-a-uuid', { key })).status).toBe(404)
  })

  it('needs an admin key to create', async () => {
    const viewer = await server.api('POST', '/v1/api-keys', {
      key,
      body: { name: 'v', role: 'viewer' },
    })
    const res = await server.api('POST', '/v1/triggers', {
      key: viewer.body.key,
      body: slackTrigger,
    })
    expect(res.status).toBe(403)
  })

  it('lists the presets with their fields', async () => {
    const res = await server.api('GET', '/v1/trigger-presets', { key })
    const names = res.body.verification.map((p: any) => p.name)
    for (const name of [
      'hmac',
      'stripe',
      'github',
      'slack',
      'shopify',
      'twilio',
      'hubspot-v3',
      'standard-webhooks',
      'zoom',
      'code',
    ])
      expect(names).toContain(name)
    expect(res.body.response.map((p: any) => p.name)).toEqual(
      expect.arrayContaining([
        'slack',
        'microsoft-graph',
        'zoom',
        'x',
        'dropbox',
        'meta',
        'asana',
        'monday',
        'notion',
        'trello',
        'intercom',
        'xero',
      ]),
    )
  })
})

describe('malformed trigger definitions', () => {
  it('refuses an unknown preset with the field', async () => {
    expect(await invalid({ verification: { preset: 'nope', secrets: ['s'] } })).toMatchObject({
      code: 'invalid_trigger',
      details: [{ path: '/verification/preset' }],
    })
    expect(await invalid({ response: 'nope' })).toMatchObject({
      details: [{ path: '/response/preset' }],
    })
  })

  it('refuses a JSONPath that does not parse', async () => {
    expect(await invalid({ routing: { from: 'body', path: 'team_id' } })).toMatchObject({
      details: [{ path: '/routing/path' }],
    })
    expect(
      await invalid({
        routing: { from: 'body', path: '$.a', fallbacks: [{ from: 'body', path: '$[?(' }] },
      }),
    ).toMatchObject({ details: [{ path: '/routing/fallbacks/0/path' }] })
  })

  it('refuses code that does not compile or lacks its function', async () => {
    expect(await invalid({ verification: { code: 'function verify( {' } })).toMatchObject({
      details: [{ path: '/verification/code', message: expect.stringMatching(/SyntaxError/) }],
    })
    expect(await invalid({ response: { code: 'function answer() {}' } })).toMatchObject({
      details: [
        { path: '/response/code', message: 'the code must define a function named respond' },
      ],
    })
  })

  it('refuses a generic hmac without a signature source, or with an unknown content token', async () => {
    const error = await invalid({
      verification: { preset: 'hmac', content: '{body}.{nonce}', secrets: ['s'] },
    })
    expect(error.details.map((d: any) => d.path)).toEqual([
      '/verification/signature',
      '/verification/content',
    ])
  })

  it('refuses credential secrets on an app-level trigger', async () => {
    expect(
      await invalid({
        verification: { preset: 'github', secrets: [{ from: 'credential', key: 'webhookSecret' }] },
      }),
    ).toMatchObject({ details: [{ path: '/verification/secrets/0' }] })
  })
})

describe('the generic hmac preset', () => {
  it('verifies sha512 base64 over method, sorted query, timestamp and body, with a rotated secret', async () => {
    const trigger = await createTrigger(server, key, {
      verification: {
        preset: 'hmac',
        algorithm: 'sha512',
        encoding: 'base64',
        content: '{method}|{query.sorted}|{timestamp}|{body}',
        signature: { header: 'x-sig', prefix: 'v1=' },
        timestamp: { header: 'x-ts', unit: 'ms', toleranceSeconds: 60, direction: 'both' },
        secrets: ['old-secret', 'new-secret'],
      },
    })
    const body = '{"a": 1}'
    const ts = String(Date.now())
    const signature = createHmac('sha512', 'new-secret')
      .update(`POST|b=2&c=3|${ts}|${body}`)
      .digest('base64')
    const headers = { 'x-ts': ts, 'x-sig': `v1=${signature}` }
    expect((await sendHook(server, trigger.id, { query: 'c=3&b=2', headers, body })).status).toBe(
      200,
    )
    expect((await sendHook(server, trigger.id, { query: 'c=3&b=4', headers, body })).status).toBe(
      401,
    )
    const late = { 'x-ts': String(Date.now() + 120_000), 'x-sig': `v1=${signature}` }
    expect(
      (await sendHook(server, trigger.id, { query: 'c=3&b=2', headers: late, body })).status,
    ).toBe(401)
  })
})
