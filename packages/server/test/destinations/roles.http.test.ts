import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDestination, keyWithRole, noPoll } from '../delivery/fixtures.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

/*
 * Every destination route by role: creating, changing, testing and deleting need `admin`;
 * reading is open to every role (Event Destinations, seed 002: "only available to Admin users").
 */

let server: TestServer
let receiver: Receiver
let admin: string
const keys: Record<'viewer' | 'member', string> = { viewer: '', member: '' }
let id: string

// Tests send to a local receiver; the API's answer is all these tests look at.
const hook = { url: '', events: ['*'] }

beforeAll(async () => {
  receiver = await startReceiver()
  hook.url = receiver.url
  server = await startTestServer({ config: noPoll })
  admin = (await server.createProject()).apiKey
  keys.viewer = await keyWithRole(server, admin, 'viewer')
  keys.member = await keyWithRole(server, admin, 'member')
  id = (await createDestination(server, admin, hook)).id
})
afterAll(async () => {
  await server.close()
  await receiver.close()
})

// [method, path, body]: every route that changes a destination or sends to one.
const adminRoutes: [string, (id: string) => string, unknown][] = [
  ['POST', () => '/v1/destinations', hook],
  ['PATCH', (id) => `/v1/destinations/${id}`, { name: 'mine' }],
  ['DELETE', (id) => `/v1/destinations/${id}`, undefined],
  ['POST', () => '/v1/destinations/test', hook],
  ['POST', (id) => `/v1/destinations/${id}/test`, undefined],
  ['POST', (id) => `/v1/destinations/${id}/enable`, undefined],
  ['POST', (id) => `/v1/destinations/${id}/disable`, {}],
  ['POST', (id) => `/v1/destinations/${id}/rotate-secret`, {}],
  ['POST', (id) => `/v1/destinations/${id}/recover`, { since: '2025-01-01T00:00:00Z' }],
]

const readRoutes: [string, (id: string) => string][] = [
  ['GET', () => '/v1/destinations'],
  ['GET', (id) => `/v1/destinations/${id}`],
]

describe('admin-only destination routes', () => {
  const cases = adminRoutes.flatMap(([method, path, body]) =>
    (['viewer', 'member'] as const).map((role) => [role, method, path, body] as const),
  )

  it.each(cases)('refuses a %s key: %s %s', async (role, method, path, body) => {
    const res = await server.api(method, path(id), { key: keys[role], body })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('forbidden')
    expect(res.body.error.message).toBe(
      `This action needs the "admin" role; this key is "${role}".`,
    )
    // Refused before anything happened: the destination is still there, unchanged.
    const read = await server.api('GET', `/v1/destinations/${id}`, { key: admin })
    expect(read.body).toMatchObject({ name: null, enabled: true })
  })

  it.each(adminRoutes.map(([method, path, body]) => [method, path, body] as const))(
    'lets an admin key through: %s %s',
    async (method, path, body) => {
      const own = (await createDestination(server, admin, hook)).id
      const res = await server.api(method, path(own), { key: admin, body })
      expect(res.status).toBeGreaterThanOrEqual(200)
      expect(res.status).toBeLessThan(300)
    },
  )
})

describe('read routes', () => {
  const cases = readRoutes.flatMap(([method, path]) =>
    (['viewer', 'member', 'admin'] as const).map((role) => [role, method, path] as const),
  )

  it.each(cases)('lets a %s key read: %s %s', async (role, method, path) => {
    const key = role === 'admin' ? admin : keys[role]
    const res = await server.api(method, path(id), { key })
    expect(res.status).toBe(200)
  })
})
