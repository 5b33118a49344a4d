import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let server: TestServer
let key: string

beforeAll(async () => {
  server = await startTestServer()
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

describe('health and OpenAPI', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await server.api('GET', '/healthz')).body).toEqual({ status: 'ok' })
    expect((await server.api('GET', '/readyz')).body).toEqual({ status: 'ready' })
  })

  it('serves an OpenAPI 3.1 document with the event routes', async () => {
    const res = await server.api('GET', '/openapi.json')
    expect(res.body.openapi).toBe('3.1.0')
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/events', '/v1/events/batch', '/v1/projects', '/v1/settings']),
    )
  })

  it('returns a request id on every response', async () => {
    const res = await server.api('GET', '/healthz', { headers: { 'x-request-id': 'trace-123' } })
    expect(res.headers.get('x-request-id')).toBe('trace-123')
  })
})

describe('bad input', () => {
  it('answers 401 unauthorized without a key', async () => {
    const res = await server.api('GET', '/v1/events')
    expect(res.status).toBe(401)
    expect(res.body.error).toEqual({
      code: 'unauthorized',
      message: 'Missing "Authorization: Bearer <key>" header.',
    })
  })

  it('answers 400 invalid_json for malformed JSON', async () => {
    const res = await server.api('POST', '/v1/events', {
      key,
      rawBody: '{"type": "webhook.test", ',
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_json')
  })

  it('answers 400 invalid_json for a __proto__ key', async () => {
    const res = await server.api('POST', '/v1/events', {
      key,
      rawBody: '{"type":"webhook.test","data":{},"__proto__":{"admin":true}}',
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_json')
  })

  it('answers 413 payload_too_large over 1 MiB', async () => {
    const res = await server.api('POST', '/v1/events', {
      key,
      body: { type: 'webhook.test', data: { pad: 'x'.repeat(1024 * 1024) } },
    })
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
  })

  it('answers 415 unsupported_media_type for a text body', async () => {
    const res = await server.api('POST', '/v1/events', {
      key,
      rawBody: 'hello',
      headers: { 'content-type': 'text/plain' },
    })
    expect(res.status).toBe(415)
    expect(res.body.error.code).toBe('unsupported_media_type')
  })

  it('answers 400 validation_failed for a wrong type, naming the field', async () => {
    const res = await server.api('POST', '/v1/events', { key, body: { type: 42, data: {} } })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: '/type', message: 'must be string' }],
    })
  })

  it('answers 404 route_not_found for an unknown route', async () => {
    const res = await server.api('GET', '/v1/nope', { key })
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('route_not_found')
  })

  it('answers 400 for a query parameter out of range', async () => {
    const res = await server.api('GET', '/v1/events?limit=100000', { key })
    expect(res.status).toBe(400)
    expect(res.body.error.details[0].path).toBe('/querystring/limit')
  })
})
