import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditedRoutes, notAudited } from '../../src/audit/index.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { must } from '../security/tenants.ts'

let server: TestServer
let key: string
let projectId: string

beforeAll(async () => {
  server = await startTestServer({ config: { secretKey: 'audit-test-key' } })
  ;({ apiKey: key, projectId } = await server.createProject())
})
afterAll(() => server.close())

const log = async (query = '') =>
  (await must(server, 200, 'GET', `/v1/audit-log${query}`, key)).data

describe('GET /v1/audit-log', () => {
  it('records a destination change with who, when and what, its secrets redacted', async () => {
    const created = await must(server, 201, 'POST', '/v1/destinations', key, {
      url: 'https://hooks.example.com/services/T000/B000/XXXXSECRETPATH',
      events: ['*'],
      headers: { 'X-Api-Key': 'header-secret-value' },
    })
    const [entry] = await log(`?targetId=${created.id}`)
    expect(entry).toMatchObject({
      action: 'destination.created',
      targetType: 'destination',
      targetId: created.id,
      actor: { type: 'key', role: 'admin' },
      changes: { events: ['*'], headers: { 'X-Api-Key': '[redacted]' } },
    })
    expect(Date.parse(entry.createdAt)).toBeGreaterThan(Date.now() - 60_000)
    const text = JSON.stringify(await log())
    expect(text).not.toContain('header-secret-value')
    expect(text).not.toContain('XXXXSECRETPATH')
    expect(text).not.toContain(created.secret)
  })

  it('records key creation and revocation without the key', async () => {
    const made = await must(server, 201, 'POST', '/v1/api-keys', key, {
      name: 'ci',
      role: 'member',
    })
    await must(server, 204, 'DELETE', `/v1/api-keys/${made.id}`, key)
    const entries = await log(`?targetId=${made.id}`)
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      'api_key.revoked',
      'api_key.created',
    ])
    expect(JSON.stringify(entries)).not.toContain(made.key)
  })

  it('records settings, credentials and triggers, redacting tokens and secrets', async () => {
    await must(server, 200, 'PUT', '/v1/settings', key, {})
    await must(server, 201, 'PUT', '/v1/credentials/c-1', key, {
      userId: 'u1',
      integration: 'slack',
      tokens: { accessToken: 'xoxb-credential-token' },
    })
    await must(server, 201, 'POST', '/v1/triggers', key, {
      integration: 'custom',
      name: 'event',
      level: 'app',
      verification: { preset: 'stripe', secrets: ['whsec_trigger_secret_value'] },
    })
    const text = JSON.stringify(await log())
    expect(text).toContain('settings.updated')
    expect(text).toContain('credential.upserted')
    expect(text).toContain('trigger.created')
    expect(text).not.toContain('xoxb-credential-token')
    expect(text).not.toContain('whsec_trigger_secret_value')
  })

  it('filters by action and time, and pages with a cursor', async () => {
    for (const name of ['a', 'b', 'c'])
      await must(server, 201, 'POST', '/v1/api-keys', key, { name, role: 'viewer' })
    const first = await must(
      server,
      200,
      'GET',
      '/v1/audit-log?action=api_key.created&limit=2',
      key,
    )
    expect(first.data).toHaveLength(2)
    expect(first.data.every((e: { action: string }) => e.action === 'api_key.created')).toBe(true)
    const rest = await must(
      server,
      200,
      'GET',
      `/v1/audit-log?action=api_key.created&cursor=${first.nextCursor}`,
      key,
    )
    expect(rest.data.length).toBeGreaterThanOrEqual(2)
    const future = encodeURIComponent(new Date(Date.now() + 60_000).toISOString())
    expect(await log(`?since=${future}`)).toEqual([])
    expect((await log(`?until=${future}`)).length).toBeGreaterThan(5)
  })

  it('is for admins only, and shows only the caller project', async () => {
    const viewer = await must(server, 201, 'POST', '/v1/api-keys', key, {
      name: 'v',
      role: 'viewer',
    })
    const res = await server.api('GET', '/v1/audit-log', { key: viewer.key })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('forbidden')
    const other = await server.createProject('other')
    const theirs = await must(server, 200, 'GET', '/v1/audit-log', other.apiKey)
    expect(theirs.data.map((e: { action: string }) => e.action)).toEqual(['project.created'])
    expect(JSON.stringify(theirs)).not.toContain(projectId)
  })

  it('does not record refused changes', async () => {
    const before = (await log()).length
    await server.api('POST', '/v1/destinations', { key, body: { url: 'not a url', events: ['*'] } })
    expect((await log()).length).toBe(before)
  })

  it('places every mutating route in the audited or the not-audited list', async () => {
    const doc = await must(server, 200, 'GET', '/openapi.json', '')
    const mutating = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => m !== 'get')
        .map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    )
    for (const route of mutating)
      expect(
        route in auditedRoutes || route in notAudited,
        `${route}: audit it or say why not`,
      ).toBe(true)
  })
})
