import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto'
import { expect } from 'vitest'
import type { TestServer } from '../helpers/server.ts'

/*
 * Two tenants for the security tests: a project with one object of every kind (a destination,
 * a trigger with an inbound request, a user, a credential, a sync with a run and a record, an
 * event and its delivery, keys of each role) and a user-token key pair.
 */

export interface Tenant {
  tag: string
  projectId: string
  keys: { admin: string; member: string; viewer: string }
  /** Key ids by role (the admin key's id is looked up from the key list). */
  keyIds: string[]
  ids: {
    destination: string
    trigger: string
    inboundRequest: string
    user: string
    credential: string
    sync: string
    run: string
    record: string
    event: string
    delivery: string
    portalSession: string
  }
  /** An exchanged portal session's credential, project-wide and not read-only. */
  portalCredential: string
  /** Every secret this tenant's setup sent or received (tests grep logs and answers for them). */
  secrets: string[]
  /** A user token of `ids.user`, valid for ten minutes, or already expired. */
  userToken: (options?: { expired?: boolean }) => string
}

const audienceOf = (projectId: string) => `switchyard.test/${projectId}`

/** Calls the API and fails unless the status is `status`. */
export async function must(
  server: TestServer,
  status: number,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<any> {
  const res = await server.api(method, path, { key, ...(body === undefined ? {} : { body }) })
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status)
  return res.body
}

/** Creates a project with one object of every kind, named with `tag` so tenants differ. */
export async function createTenant(server: TestServer, tag: string): Promise<Tenant> {
  const { projectId, apiKey: admin } = await server.createProject(`Tenant ${tag}`)
  const member = await must(server, 201, 'POST', '/v1/api-keys', admin, {
    name: 'm',
    role: 'member',
  })
  const viewer = await must(server, 201, 'POST', '/v1/api-keys', admin, {
    name: 'v',
    role: 'viewer',
  })
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  await must(server, 200, 'PUT', '/v1/settings', admin, {
    userTokens: { publicKey, audiences: [audienceOf(projectId)] },
  })
  const secrets: string[] = [admin, member.key, viewer.key]
  // Integrations (developer tokens) arrive with issue #11; set one up when the route exists.
  const devToken = `dev-${tag}-${randomUUID()}`
  const integration = await server.api('PUT', `/v1/integrations/int-${tag}`, {
    key: admin,
    body: { name: `Integration ${tag}`, tokens: { clientSecret: devToken } },
  })
  if (integration.status < 300) secrets.push(devToken)
  const headerSecret = `hdr-${tag}-${randomUUID()}`
  const destination = await must(server, 201, 'POST', '/v1/destinations', admin, {
    url: `http://127.0.0.1:9/${tag}`,
    events: ['*'],
    headers: { Authorization: `Bearer ${headerSecret}` },
  })
  secrets.push(headerSecret, destination.secret)
  const triggerSecret = `trig-${tag}-${randomUUID()}`
  const trigger = await must(server, 201, 'POST', '/v1/triggers', admin, {
    integration: 'custom',
    name: 'event',
    level: 'app',
    verification: { preset: 'stripe', secrets: [triggerSecret] },
  })
  secrets.push(triggerSecret)
  await fetch(`${server.url}/hooks/${trigger.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ hello: tag }),
  })
  const user = `user-${tag}`
  await must(server, 200, 'PUT', `/v1/users/${user}`, admin, { metadata: { tag } })
  const credential = randomUUID()
  const accessToken = `tok-${tag}-${randomUUID()}`
  await must(server, 201, 'PUT', `/v1/credentials/${credential}`, admin, {
    userId: user,
    integration: 'googledrive',
    tokens: { accessToken },
  })
  secrets.push(accessToken)
  const sync = await must(server, 201, 'POST', '/v1/syncs', admin, {
    integration: 'googledrive',
    pipeline: 'files',
    userId: user,
    credentialId: credential,
  })
  const run = await must(server, 201, 'POST', `/v1/syncs/${sync.id}/runs`, admin, {
    type: 'INITIAL',
  })
  await must(server, 200, 'POST', `/v1/syncs/${sync.id}/runs/${run.id}/records`, admin, {
    records: [{ externalId: `file-${tag}`, data: { name: `file-${tag}` } }],
  })
  const records = await must(server, 200, 'GET', `/v1/syncs/${sync.id}/records`, admin)
  const event = await must(server, 202, 'POST', '/v1/events', admin, {
    type: 'webhook.test',
    data: {},
  })
  const deliveries = await waitForList(server, admin, `/v1/deliveries?eventId=${event.id}`)
  const inbound = await waitForList(server, admin, `/v1/inbound-requests?triggerId=${trigger.id}`)
  const portal = await must(server, 201, 'POST', '/v1/portal-sessions', admin, {})
  const linkToken = new URL(portal.url).hash.replace('#token=', '')
  const exchanged = await must(server, 200, 'POST', '/v1/portal-sessions/exchange', '', {
    token: linkToken,
  })
  secrets.push(linkToken, exchanged.credential)
  const keyList = await must(server, 200, 'GET', '/v1/api-keys', admin)
  return {
    tag,
    projectId,
    keys: { admin, member: member.key, viewer: viewer.key },
    keyIds: keyList.data.map((k: { id: string }) => k.id),
    ids: {
      destination: destination.id,
      trigger: trigger.id,
      inboundRequest: inbound[0].id,
      user,
      credential,
      sync: sync.id,
      run: run.id,
      record: records.data[0].id,
      event: event.id,
      delivery: deliveries[0].id,
      portalSession: portal.id,
    },
    portalCredential: exchanged.credential,
    secrets,
    userToken: (options = {}) =>
      signUserToken(pair.privateKey, audienceOf(projectId), user, options),
  }
}

async function waitForList(server: TestServer, key: string, path: string): Promise<any[]> {
  for (let i = 0; i < 100; i++) {
    const res = await server.api('GET', path, { key })
    if (res.status === 200 && res.body.data.length > 0) return res.body.data
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${path} stayed empty`)
}

/** An RS256 JWT signed with node:crypto, independently of the code under test. */
function signUserToken(
  privateKey: import('node:crypto').KeyObject,
  aud: string,
  sub: string,
  options: { expired?: boolean },
): string {
  const s = Math.floor(Date.now() / 1000)
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const exp = options.expired ? s - 60 : s + 600
  const input = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ aud, sub, iat: s - 120, exp })}`
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')
  return `${input}.${signature}`
}
