import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/store/index.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { inboundConfig } from '../inbound/helpers.ts'

let server: TestServer
let key: string
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

const clientSecret = 'cs_live_4f9a8b7c6d5e4f3a2b1c'
const signingSecret = 'sign_9z8y7x6w5v4u3t2s1r0q'

async function apiKeyWithRole(role: 'viewer' | 'member') {
  const res = await server.api('POST', '/v1/api-keys', { key, body: { name: role, role } })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.key as string
}

describe('integrations', () => {
  it('creates an integration with its developer tokens and never shows them in full', async () => {
    const res = await server.api('PUT', '/v1/integrations/hubspot', {
      key,
      body: {
        name: 'HubSpot',
        baseUrl: 'https://api.hubapi.com',
        tokens: { clientId: 'client-id-1234567890', clientSecret },
      },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({
      type: 'hubspot',
      name: 'HubSpot',
      baseUrl: 'https://api.hubapi.com',
      tokens: [
        { name: 'clientId', value: '…7890' },
        { name: 'clientSecret', value: '…2b1c' },
      ],
    })
    const read = await server.api('GET', '/v1/integrations/hubspot', { key })
    expect(read.status).toBe(200)
    expect(JSON.stringify(read.body)).not.toContain(clientSecret)
    expect(read.body.tokens.map((t: { name: string }) => t.name)).toEqual([
      'clientId',
      'clientSecret',
    ])
  })

  it('stores developer tokens encrypted', async () => {
    await server.api('PUT', '/v1/integrations/encrypted', {
      key,
      body: { tokens: { clientSecret } },
    })
    const { rows } = await sql<{ value_ciphertext: string }>`
      select value_ciphertext from integration_tokens where integration = 'encrypted'`.execute(
      server.engine.db.kysely,
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]!.value_ciphertext).toMatch(/^v1\./)
    expect(rows[0]!.value_ciphertext).not.toContain(clientSecret)
  })

  it('rotates one token, keeps the ones left out, and removes one set to null', async () => {
    const put = (body: unknown) => server.api('PUT', '/v1/integrations/slack', { key, body })
    expect((await put({ tokens: { clientSecret, signingSecret, verifyToken: 'vt' } })).status).toBe(
      201,
    )
    const rotated = await put({ tokens: { clientSecret: 'cs_rotated_000000000000wxyz' } })
    expect(rotated.status).toBe(200)
    expect(rotated.body.name).toBe('slack')
    expect(rotated.body.tokens).toMatchObject([
      { name: 'clientSecret', value: '…wxyz' },
      { name: 'signingSecret', value: '…1r0q' },
      { name: 'verifyToken', value: '…' },
    ])
    const removed = await put({ name: 'Slack', tokens: { verifyToken: null } })
    expect(removed.body).toMatchObject({ name: 'Slack' })
    expect(removed.body.tokens.map((t: { name: string }) => t.name)).toEqual([
      'clientSecret',
      'signingSecret',
    ])
  })

  it('lists integrations in type order, a page at a time', async () => {
    const { apiKey } = await server.createProject('list')
    for (const type of ['zoom', 'asana', 'meta'])
      await server.api('PUT', `/v1/integrations/${type}`, { key: apiKey, body: {} })
    const first = await server.api('GET', '/v1/integrations?limit=2', { key: apiKey })
    expect(first.status).toBe(200)
    expect(first.body.data.map((i: { type: string }) => i.type)).toEqual(['asana', 'meta'])
    const second = await server.api(
      'GET',
      `/v1/integrations?limit=2&cursor=${first.body.nextCursor}`,
      { key: apiKey },
    )
    expect(second.body).toMatchObject({ data: [{ type: 'zoom' }], nextCursor: null })
    const bad = await server.api('GET', '/v1/integrations?cursor=@@', { key: apiKey })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('invalid_cursor')
  })

  it('deletes an integration and its tokens', async () => {
    await server.api('PUT', '/v1/integrations/gone', { key, body: { tokens: { a: 'x' } } })
    expect((await server.api('DELETE', '/v1/integrations/gone', { key })).status).toBe(204)
    const read = await server.api('GET', '/v1/integrations/gone', { key })
    expect(read.status).toBe(404)
    expect(read.body.error.code).toBe('not_found')
    expect((await server.api('DELETE', '/v1/integrations/gone', { key })).status).toBe(404)
  })

  it("answers 404 for another project's integration", async () => {
    await server.api('PUT', '/v1/integrations/private', { key, body: { tokens: { clientSecret } } })
    const other = await server.createProject('other')
    for (const method of ['GET', 'DELETE']) {
      const res = await server.api(method, '/v1/integrations/private', { key: other.apiKey })
      expect(res.status).toBe(404)
    }
    const list = await server.api('GET', '/v1/integrations', { key: other.apiKey })
    expect(list.body.data).toEqual([])
  })

  it('lets viewers read and only admins write', async () => {
    const viewer = await apiKeyWithRole('viewer')
    const member = await apiKeyWithRole('member')
    expect((await server.api('GET', '/v1/integrations', { key: viewer })).status).toBe(200)
    for (const k of [viewer, member]) {
      const res = await server.api('PUT', '/v1/integrations/x', { key: k, body: {} })
      expect(res.status).toBe(403)
      expect(res.body.error.code).toBe('forbidden')
    }
  })

  it('refuses bad input with a machine-readable code', async () => {
    const put = (type: string, body: unknown) =>
      server.api('PUT', `/v1/integrations/${type}`, { key, body })
    const badName = await put('ok', { tokens: { 'not a name': 'x' } })
    expect(badName.status).toBe(400)
    expect(badName.body.error.code).toBe('validation_failed')
    const badValue = await put('ok', { tokens: { a: 42 } })
    expect(badValue.body.error.code).toBe('validation_failed')
    const extra = await put('ok', { secret: 'x' })
    expect(extra.body.error.code).toBe('validation_failed')
    const badType = await put('has%20space', {})
    expect(badType.status).toBe(400)
    const badUrl = await put('ok', { baseUrl: 'ftp://example.com' })
    expect(badUrl.status).toBe(400)
    expect(badUrl.body.error.code).toBe('invalid_url')
  })

  it('refuses removing a token a trigger uses, naming the trigger', async () => {
    await server.api('PUT', '/v1/integrations/used', { key, body: { tokens: { signingSecret } } })
    const trigger = await server.api('POST', '/v1/triggers', {
      key,
      body: {
        integration: 'used',
        name: 'n',
        level: 'app',
        verification: {
          preset: 'github',
          secrets: [{ from: 'integration', key: 'signingSecret' }],
        },
      },
    })
    expect(trigger.status, JSON.stringify(trigger.body)).toBe(201)
    const remove = await server.api('PUT', '/v1/integrations/used', {
      key,
      body: { tokens: { signingSecret: null } },
    })
    expect(remove.status).toBe(409)
    expect(remove.body.error).toMatchObject({
      code: 'integration_token_in_use',
      details: [
        {
          path: '/verification/secrets/0',
          message: `trigger ${trigger.body.id} uses token "signingSecret"`,
        },
      ],
    })
    const del = await server.api('DELETE', '/v1/integrations/used', { key })
    expect(del.status).toBe(409)
    expect((await server.api('DELETE', `/v1/triggers/${trigger.body.id}`, { key })).status).toBe(
      204,
    )
    expect((await server.api('DELETE', '/v1/integrations/used', { key })).status).toBe(204)
  })
})
