import { createHash, createHmac } from 'node:crypto'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { statuses, type ReceivedRequest } from '../helpers/receiver.ts'
import { createClaimChecks } from '../../src/delivery/index.ts'
import {
  collectDispatch,
  createDestination,
  dispatchHarness,
  publish,
  recordCreated,
} from './fixtures.ts'

const { clock, server, dispatcher, receiver } = dispatchHarness()

const hourMs = 3600_000

/** A record.updated whose `record` makes the standard body about `bytes` long. */
function bigRecordUpdated(bytes: number) {
  return {
    ...recordCreated,
    type: 'record.updated',
    data: {
      ...recordCreated.data,
      record: { id: 'file_1', title: 'Quarterly report', notes: 'ü'.repeat(bytes / 2) },
    },
  }
}

/** A limit of 1 KiB (the smallest allowed) and, beside it, a destination that gets every body whole. */
async function setUp() {
  const { apiKey: key } = await server.createProject()
  const small = await receiver()
  const whole = await receiver()
  const limited = await createDestination(server, key, {
    url: small.url,
    events: ['record.updated', 'record.created'],
    maxPayloadBytes: 1024,
  })
  await createDestination(server, key, {
    url: whole.url,
    events: ['record.updated'],
    maxPayloadBytes: 10_485_760,
  })
  return { key, small, whole, limited }
}

/** The claim-check URL's path, fetched from the test server (its publicUrl has port 0). */
async function fetchClaim(url: string): Promise<Response> {
  return fetch(server.url + new URL(url).pathname)
}

/** Standard Webhooks v1, computed here rather than by the code under test. */
function expectedSignature(secret: string, request: ReceivedRequest): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const signed = `${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.${request.body}`
  return 'v1,' + createHmac('sha256', key).update(signed).digest('base64')
}

describe('claim checks', () => {
  it('sends a body above maxPayloadBytes as a thin event with the envelope and a claim check', async () => {
    const { key, small } = await setUp()
    const before = clock.now().getTime()
    const eventId = await publish(server, key, bigRecordUpdated(4000))
    const [request] = await small.waitForRequests(1)
    const after = clock.now().getTime()
    const thin = JSON.parse(request!.body)
    // The envelope says whom the event is about (issue #25), so a thin event is attributable.
    expect(Object.keys(thin)).toEqual([
      'id',
      'type',
      'timestamp',
      'projectId',
      'userId',
      'credentialId',
      'integration',
      'claimCheck',
    ])
    expect(thin).toMatchObject({
      id: eventId,
      type: 'record.updated',
      userId: recordCreated.userId,
      credentialId: recordCreated.credentialId,
      integration: recordCreated.integration,
    })
    expect(thin.claimCheck).toEqual({
      url: expect.stringMatching(/\/v1\/claims\/[\w-]{22}\.\d+\.[\w-]{43}$/),
      expiresAt: expect.any(String),
      size: expect.any(Number),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
    const expiresAt = new Date(thin.claimCheck.expiresAt).getTime()
    expect(expiresAt).toBeGreaterThanOrEqual(before + hourMs)
    expect(expiresAt).toBeLessThanOrEqual(after + hourMs)
    expect(thin.claimCheck.size).toBeGreaterThan(4000)
    expect(Buffer.byteLength(request!.body)).toBeLessThanOrEqual(1024)
  })

  it('serves exactly the bytes a destination without the limit received', async () => {
    const { key, small, whole } = await setUp()
    await publish(server, key, bigRecordUpdated(4000))
    const [[thinRequest], [wholeRequest]] = await Promise.all([
      small.waitForRequests(1),
      whole.waitForRequests(1),
    ])
    const { claimCheck } = JSON.parse(thinRequest!.body)
    const res = await fetchClaim(claimCheck.url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    const bytes = Buffer.from(await res.arrayBuffer())
    expect(bytes.toString('utf8')).toBe(wholeRequest!.body)
    expect(bytes.length).toBe(claimCheck.size)
    const digest = createHash('sha256').update(bytes)
    expect(claimCheck.sha256).toBe(digest.copy().digest('hex'))
    expect(res.headers.get('content-digest')).toBe(`sha-256=:${digest.digest('base64')}:`)
  })

  it('signs the thin body that is sent', async () => {
    const { key, small, limited } = await setUp()
    await publish(server, key, bigRecordUpdated(4000))
    const [request] = await small.waitForRequests(1)
    expect(request!.headers['webhook-signature']).toBe(expectedSignature(limited.secret, request!))
  })

  it("keeps the envelope of the destination's wire format, template or not", async () => {
    const { apiKey: key } = await server.createProject()
    const target = await receiver()
    await createDestination(server, key, {
      url: target.url,
      events: ['record.updated'],
      format: 'workspace',
      template: '{"wrapped": {{$.event}}}',
      maxPayloadBytes: 1024,
    })
    await publish(server, key, bigRecordUpdated(4000))
    const [request] = await target.waitForRequests(1)
    const thin = JSON.parse(request!.body)
    expect(Object.keys(thin)).toEqual([
      'workspace_id',
      'customer_id',
      'event',
      'state',
      'claimCheck',
    ])
    expect(thin.event).toBe('integration_updated_data_model')
    const full = await (await fetchClaim(thin.claimCheck.url)).json()
    expect(full.wrapped.payload.data.title).toBe('Quarterly report')
  })

  it('sends a body within the limit whole', async () => {
    const { key, small } = await setUp()
    await publish(server, key, recordCreated)
    const [request] = await small.waitForRequests(1)
    expect(JSON.parse(request!.body)).toMatchObject({
      type: 'record.created',
      data: recordCreated.data,
    })
    expect(request!.body).not.toContain('claimCheck')
  })

  it('stores the body before sending, so the receiver can fetch it while it answers', async () => {
    const { key, small, limited } = await setUp()
    let fetched: number | null = null
    small.answer((request, res) => {
      void fetchClaim(JSON.parse(request.body).claimCheck.url).then((claim) => {
        fetched = claim.status
        res.writeHead(200).end('ok')
      })
    })
    const delivered = collectDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === limited.id,
      1,
    )
    await publish(server, key, bigRecordUpdated(4000))
    await delivered
    expect(fetched).toBe(200)
  })

  it('answers 410 claim_check_expired once the URL has expired', async () => {
    const { key, small } = await setUp()
    await publish(server, key, bigRecordUpdated(4000))
    const [request] = await small.waitForRequests(1)
    const { claimCheck } = JSON.parse(request!.body)
    clock.advance(hourMs + 1000)
    const res = await fetchClaim(claimCheck.url)
    expect(res.status).toBe(410)
    expect((await res.json()).error.code).toBe('claim_check_expired')
  })

  it('answers 404 claim_check_not_found for a tampered token', async () => {
    const { key, small } = await setUp()
    await publish(server, key, bigRecordUpdated(4000))
    const [request] = await small.waitForRequests(1)
    const url: string = JSON.parse(request!.body).claimCheck.url
    // A later expiry with the old signature, and a made-up id with a valid-looking shape.
    const [id, expires, signature] = new URL(url).pathname.split('/').at(-1)!.split('.')
    const tampered = [
      `${id}.${Number(expires) + 86_400}.${signature}`,
      `${'A'.repeat(22)}.${expires}.${signature}`,
      'not-a-token',
    ]
    for (const token of tampered) {
      const res = await fetch(`${server.url}/v1/claims/${token}`)
      expect(res.status).toBe(404)
      expect((await res.json()).error.code).toBe('claim_check_not_found')
    }
  })

  it('keeps one body for a delivery whose retries send the same bytes, valid from the last attempt', async () => {
    const { key, small, limited } = await setUp()
    small.answer(statuses(500, 200))
    const failed = collectDispatch(
      dispatcher(),
      'attempt',
      (e) => e.destinationId === limited.id,
      1,
    )
    await publish(server, key, bigRecordUpdated(4000))
    const [first] = await failed
    clock.advance(5_000)
    const delivered = collectDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === limited.id,
      1,
    )
    await dispatcher().runOnce()
    await delivered
    const [a, b] = small.requests.map((r) => JSON.parse(r.body).claimCheck)
    expect(a.sha256).toBe(b.sha256)
    expect(new Date(b.expiresAt).getTime()).toBeGreaterThan(new Date(a.expiresAt).getTime())
    const rows = await sql<{ n: number; expires_at: Date }>`
      select count(*)::int as n, max(expires_at) as expires_at from claim_checks
      where delivery_id = ${first!.deliveryId}`.execute(server.engine.db.kysely)
    expect(rows.rows[0]!.n).toBe(1)
    expect(rows.rows[0]!.expires_at.toISOString()).toBe(b.expiresAt)
  })
})

describe('claim-check keys and pruning', () => {
  /** A stored delivery to hang bodies on. */
  async function deliveryId(): Promise<string> {
    const { key, limited } = await setUp()
    const sent = collectDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === limited.id,
      1,
    )
    await publish(server, key, recordCreated)
    return (await sent)[0]!.deliveryId
  }
  const claimsWith = (secretKey: string | null) =>
    createClaimChecks({ db: server.engine.db, secretKey, publicUrl: server.url, ttlMs: hourMs })
  const tokenOf = (url: string) => url.split('/').at(-1)!

  it('opens in another process of the installation: the stored key is shared', async () => {
    const id = await deliveryId()
    const ref = await claimsWith(null).keep(id, '{"a":1}', clock.now())
    expect(await claimsWith(null).open(tokenOf(ref.url), clock.now())).toMatchObject({
      ok: true,
      body: '{"a":1}',
    })
  })

  it('signs with a key derived from SWITCHYARD_SECRET_KEY when it is set', async () => {
    const id = await deliveryId()
    const ref = await claimsWith('key-one').keep(id, '{"b":2}', clock.now())
    const token = tokenOf(ref.url)
    expect((await claimsWith('key-one').open(token, clock.now())).ok).toBe(true)
    expect(await claimsWith('key-two').open(token, clock.now())).toEqual({
      ok: false,
      reason: 'invalid',
    })
    expect((await claimsWith(null).open(token, clock.now())).ok).toBe(false)
  })

  it('prunes bodies whose last URL has expired, and only those', async () => {
    const id = await deliveryId()
    const claims = claimsWith(null)
    const old = await claims.keep(id, '{"old":true}', clock.now())
    clock.advance(hourMs / 2)
    const fresh = await claims.keep(id, '{"fresh":true}', clock.now())
    clock.advance(hourMs / 2 + 1000)
    expect(await claims.prune(clock.now())).toBeGreaterThanOrEqual(1)
    // Back to before either URL expired: the old one now fails only because its body is gone.
    clock.advance(-(hourMs + 1000))
    expect((await claims.open(tokenOf(old.url), clock.now())).ok).toBe(false)
    expect((await claims.open(tokenOf(fresh.url), clock.now())).ok).toBe(true)
    clock.advance(hourMs + 1000)
  })
})
