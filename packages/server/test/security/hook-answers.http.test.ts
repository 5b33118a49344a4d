import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createTrigger, inboundConfig, inboundRequests, sendHook } from '../inbound/helpers.ts'

/*
 * Issue #24 item 8: /hooks shares the dashboard's origin, and a tenant chooses what a trigger
 * answers (a static response, respond() code). A tenant answer may only be a 2xx or 4xx with a
 * JSON, XML or text body and a few handshake headers; every /hooks answer carries
 * `Content-Security-Policy: sandbox` and `X-Content-Type-Options: nosniff`.
 */

let server: TestServer
let key: string
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

const saveResponse = (response: unknown) =>
  server.api('POST', '/v1/triggers', {
    key,
    body: { integration: 'custom', name: 'n', level: 'app', response },
  })

const expectSecured = (res: { headers: Headers }, what: string) => {
  expect(res.headers.get('content-security-policy'), what).toBe('sandbox')
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff')
}

describe('a static response', () => {
  it.each([
    [
      'a cookie',
      { headers: { 'Set-Cookie': 'session=stolen; Path=/' } },
      '/response/headers/Set-Cookie',
    ],
    ['a redirect', { status: 302, headers: { location: '/v1/projects' } }, '/response/status'],
    [
      'HTML',
      { headers: { 'content-type': 'text/html' }, body: '<script>x</script>' },
      '/response/headers/content-type',
    ],
    [
      'a service worker scope',
      { headers: { 'service-worker-allowed': '/' } },
      '/response/headers/service-worker-allowed',
    ],
    [
      'both framing headers',
      { headers: { 'transfer-encoding': 'chunked', 'content-length': '1' } },
      '/response/headers/transfer-encoding',
    ],
    ['a 1xx', { status: 101 }, '/response/status'],
    ['a 5xx', { status: 503 }, '/response/status'],
  ])('with %s is refused at save with the path', async (_what, response, path) => {
    const res = await saveResponse(response)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_trigger')
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path })]),
    )
  })

  it('is refused on PATCH too', async () => {
    const trigger = await createTrigger(server, key, {})
    const res = await server.api('PATCH', `/v1/triggers/${trigger.id}`, {
      key,
      body: { response: { status: 200, headers: { 'set-cookie': 'a=b' } } },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_trigger')
  })

  it('with what providers need is sent: 202, XML and a handshake header', async () => {
    const trigger = await createTrigger(server, key, {
      response: {
        status: 202,
        headers: { 'Content-Type': 'text/xml; charset=utf-8', 'x-hook-secret': 'abc' },
        body: '<Ack>true</Ack>',
      },
    })
    const res = await sendHook(server, trigger.id, { body: 'x' })
    expect(res).toMatchObject({ status: 202, text: '<Ack>true</Ack>' })
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8')
    expect(res.headers.get('x-hook-secret')).toBe('abc')
    expectSecured(res, 'static response')
  })
})

describe('respond() code', () => {
  const answering = (answer: string) =>
    createTrigger(server, key, { response: { code: `function respond() { return ${answer} }` } })

  it('returning Set-Cookie is an error, logged, and the cookie is never sent', async () => {
    const trigger = await answering(
      `{ status: 200, headers: { 'Set-Cookie': 'session=x' }, body: 'ok' }`,
    )
    const res = await sendHook(server, trigger.id, { body: 'x' })
    expect(res.status).toBe(500)
    expect(res.headers.get('set-cookie')).toBeNull()
    expect(JSON.parse(res.text).error.code).toBe('custom_code_failed')
    const [logged] = await inboundRequests(server, key, trigger.id)
    expect(logged).toMatchObject({
      outcome: 'error',
      reason: expect.stringContaining('/headers/Set-Cookie'),
    })
    expectSecured(res, 'respond() error')
  })

  it('returning a redirect or HTML is an error', async () => {
    for (const answer of [
      `{ status: 302, headers: { location: 'https://evil.example' } }`,
      `{ status: 200, headers: { 'content-type': 'text/html' }, body: '<script>alert(1)</script>' }`,
    ]) {
      const trigger = await answering(answer)
      const res = await sendHook(server, trigger.id, { body: 'x' })
      expect(res.status, answer).toBe(500)
      expect(res.headers.get('location')).toBeNull()
      expect(res.text).not.toContain('<script>')
    }
  })

  it('returning an allowed answer is sent', async () => {
    const trigger = await answering(
      `{ status: 200, headers: { 'smartsheet-hook-response': 'c1' }, body: { ok: true } }`,
    )
    const res = await sendHook(server, trigger.id, { body: 'x' })
    expect(res.status).toBe(200)
    expect(res.headers.get('smartsheet-hook-response')).toBe('c1')
    expect(JSON.parse(res.text)).toEqual({ ok: true })
    expectSecured(res, 'respond() answer')
  })
})

describe('every /hooks answer', () => {
  it('carries CSP sandbox and nosniff: accepted, rejected, unknown, handshake, HEAD, too large', async () => {
    const open = await createTrigger(server, key, {})
    const signed = await createTrigger(server, key, {
      verification: { preset: 'github', secrets: ['gh-secret'] },
    })
    const monday = await createTrigger(server, key, { response: 'monday' })
    const small = await createTrigger(server, key, { bodyLimitBytes: 1 })
    const answers = {
      accepted: await sendHook(server, open.id, { body: '{}' }),
      rejected: await sendHook(server, signed.id, { body: '{}' }),
      unknown: await sendHook(server, '00000000-0000-4000-8000-000000000000', { body: '{}' }),
      notAnId: await sendHook(server, 'not-a-uuid', { body: '{}' }),
      handshake: await sendHook(server, monday.id, { body: '{"challenge":"c"}' }),
      head: await sendHook(server, open.id, { method: 'HEAD' }),
      tooLarge: await sendHook(server, small.id, { body: 'xx' }),
    }
    expect(Object.values(answers).map((a) => a.status)).toEqual([200, 401, 404, 404, 200, 200, 413])
    for (const [what, res] of Object.entries(answers)) expectSecured(res, what)
  })
})
