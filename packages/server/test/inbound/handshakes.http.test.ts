import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import {
  createTrigger,
  inboundConfig,
  inboundRequests,
  sendHook,
  triggerEvents,
} from './helpers.ts'

let server: TestServer
let key: string
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

const json = { 'content-type': 'application/json' }
const now = () => Math.floor(Date.now() / 1000)

describe('handshakes', () => {
  it('Slack url_verification: the challenge as text/plain, once the request verifies', async () => {
    const secret = '8f742231b10e8888abcd99yyyzzz85a5'
    const trigger = await createTrigger(server, key, {
      response: 'slack',
      verification: { preset: 'slack', secrets: [secret] },
    })
    const body =
      '{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}'
    const ts = String(now())
    const signature = 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')
    const res = await sendHook(server, trigger.id, {
      headers: { ...json, 'x-slack-request-timestamp': ts, 'x-slack-signature': signature },
      body,
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(res.text).toBe('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P')
    const unsigned = await sendHook(server, trigger.id, { headers: json, body })
    expect(unsigned.status).toBe(401)
  })

  it('Microsoft Graph validationToken: the decoded token as text/plain', async () => {
    const trigger = await createTrigger(server, key, { response: 'microsoft-graph' })
    const token =
      'Validation: Testing client application reachability for subscription Request-Id: 1b8a2b'
    const res = await sendHook(server, trigger.id, {
      query: `validationToken=${encodeURIComponent(token)}`,
      headers: { 'content-type': 'text/plain' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(res.text).toBe(token)
  })

  it('Zoom endpoint.url_validation: plainToken and its HMAC, signed like any event', async () => {
    const secret = 'zoom_secret_token'
    const trigger = await createTrigger(server, key, {
      response: 'zoom',
      verification: { preset: 'zoom', secrets: [secret] },
    })
    const body =
      '{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}'
    const ts = String(now())
    const signature = 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')
    const res = await sendHook(server, trigger.id, {
      headers: { ...json, 'x-zm-request-timestamp': ts, 'x-zm-signature': signature },
      body,
    })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: 'bd48235863f4a6323ccc4963c594908b7c97f88b4a6a95278f4f093690b12726',
    })
  })

  it('X CRC: GET ?crc_token answered with the sha256= response token', async () => {
    const trigger = await createTrigger(server, key, {
      response: 'x',
      verification: { preset: 'x', secrets: ['Convoy'] },
    })
    const res = await sendHook(server, trigger.id, { method: 'GET', query: 'crc_token=uzwcfYtzr9' })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toEqual({
      response_token: 'sha256=HXvxTdsfShG6k2zC9NVANwFquJBdOugRYHax2vNiiOo=',
    })
  })

  it('Dropbox: GET ?challenge echoed as text/plain with nosniff', async () => {
    const trigger = await createTrigger(server, key, {
      response: 'dropbox',
      verification: { preset: 'dropbox', secrets: ['app-secret'] },
    })
    const res = await sendHook(server, trigger.id, { method: 'GET', query: 'challenge=Ab3xYz' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.text).toBe('Ab3xYz')
  })

  it('Meta: hub.challenge when hub.verify_token matches, 403 when not', async () => {
    const trigger = await createTrigger(server, key, {
      response: { preset: 'meta', verifyToken: 'my-verify-token' },
    })
    const ok = await sendHook(server, trigger.id, {
      method: 'GET',
      query: 'hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=my-verify-token',
    })
    expect(ok).toMatchObject({ status: 200, text: '1158201444' })
    const wrong = await sendHook(server, trigger.id, {
      method: 'GET',
      query: 'hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess',
    })
    expect(wrong.status).toBe(403)
    expect(wrong.text).not.toContain('1158201444')
  })

  it('Asana: X-Hook-Secret echoed, persisted, and then verifying X-Hook-Signature', async () => {
    const trigger = await createTrigger(server, key, {
      response: 'asana',
      verification: { preset: 'asana' },
    })
    const hookSecret = 'b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81'
    const hello = await sendHook(server, trigger.id, { headers: { 'x-hook-secret': hookSecret } })
    expect(hello.status).toBe(200)
    expect(hello.headers.get('x-hook-secret')).toBe(hookSecret)
    const body = '{"events":[{"action":"changed","resource":{"gid":"1"}}]}'
    const signature = createHmac('sha256', hookSecret).update(body).digest('hex')
    const event = await sendHook(server, trigger.id, {
      headers: { ...json, 'x-hook-signature': signature },
      body,
    })
    expect(event.status).toBe(200)
    const forged = await sendHook(server, trigger.id, {
      headers: {
        ...json,
        'x-hook-signature': createHmac('sha256', 'guess').update(body).digest('hex'),
      },
      body,
    })
    expect(forged.status).toBe(401)
  })

  it('monday.com: {"challenge"} answered with the same JSON', async () => {
    const trigger = await createTrigger(server, key, { response: 'monday' })
    const res = await sendHook(server, trigger.id, {
      headers: json,
      body: '{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}',
    })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toEqual({
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    })
  })

  it('Notion: verification_token persisted and then verifying X-Notion-Signature', async () => {
    const trigger = await createTrigger(server, key, {
      response: 'notion',
      verification: { preset: 'notion' },
    })
    const token = 'secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl'
    expect(
      (
        await sendHook(server, trigger.id, {
          headers: json,
          body: `{"verification_token":"${token}"}`,
        })
      ).status,
    ).toBe(200)
    const body = '{"type":"page.created","workspace_id":"w1"}'
    const signature = 'sha256=' + createHmac('sha256', token).update(body).digest('hex')
    expect(
      (
        await sendHook(server, trigger.id, {
          headers: { ...json, 'x-notion-signature': signature },
          body,
        })
      ).status,
    ).toBe(200)
  })

  it('Trello and Intercom: HEAD answered 200 without verification', async () => {
    const trigger = await createTrigger(server, key, {
      response: 'trello',
      verification: { preset: 'trello', secrets: ['s'] },
    })
    const res = await sendHook(server, trigger.id, { method: 'HEAD' })
    expect(res.status).toBe(200)
    const [logged] = await inboundRequests(server, key, trigger.id)
    expect(logged).toMatchObject({ method: 'HEAD', outcome: 'handshake' })
  })

  it('Xero intent to receive: 200 for the correctly signed request, 401 for the other', async () => {
    const trigger = await createTrigger(server, key, {
      response: 'xero',
      verification: { preset: 'xero', secrets: ['xero-webhook-key'] },
    })
    const body =
      '{"events":[],"firstEventSequence": 0,"lastEventSequence": 0, "entropy": "S0m3r4Nd0mt3xt"}'
    const good = createHmac('sha256', 'xero-webhook-key').update(body).digest('base64')
    expect(
      (await sendHook(server, trigger.id, { headers: { ...json, 'x-xero-signature': good }, body }))
        .status,
    ).toBe(200)
    expect(
      (
        await sendHook(server, trigger.id, {
          headers: { ...json, 'x-xero-signature': 'aW52YWxpZA==' },
          body,
        })
      ).status,
    ).toBe(401)
  })

  it('Okta: GET X-Okta-Verification-Challenge answered {"verification"}', async () => {
    const trigger = await createTrigger(server, key, { response: 'okta' })
    const res = await sendHook(server, trigger.id, {
      method: 'GET',
      headers: { 'x-okta-verification-challenge': 'mMaOn4Ou0TfWoPUtbvfMaZRl' },
    })
    expect(JSON.parse(res.text)).toEqual({ verification: 'mMaOn4Ou0TfWoPUtbvfMaZRl' })
  })

  it('Smartsheet: the challenge in Smartsheet-Hook-Response and the JSON body', async () => {
    const trigger = await createTrigger(server, key, { response: 'smartsheet' })
    const res = await sendHook(server, trigger.id, {
      headers: { ...json, 'smartsheet-hook-challenge': 'd78dd1d3-01ce-4481-81de-92b4f3aa5ab1' },
      body: '{"challenge":"d78dd1d3-01ce-4481-81de-92b4f3aa5ab1","webhookId":2674017481058180}',
    })
    expect(res.headers.get('smartsheet-hook-response')).toBe('d78dd1d3-01ce-4481-81de-92b4f3aa5ab1')
    expect(JSON.parse(res.text)).toEqual({
      smartsheetHookResponse: 'd78dd1d3-01ce-4481-81de-92b4f3aa5ab1',
    })
  })

  it('a static custom response answers accepted requests', async () => {
    const soap =
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>'
    const trigger = await createTrigger(server, key, {
      response: { status: 200, headers: { 'content-type': 'text/xml' }, body: soap },
    })
    const res = await sendHook(server, trigger.id, {
      headers: { 'content-type': 'text/xml' },
      body: '<notifications/>',
    })
    expect(res).toMatchObject({ status: 200, text: soap })
    expect(res.headers.get('content-type')).toBe('text/xml')
  })

  it('emits no event for a handshake', async () => {
    const { apiKey } = await server.createProject('Handshakes only')
    const trigger = await createTrigger(server, apiKey, { response: 'monday' })
    await sendHook(server, trigger.id, { headers: json, body: '{"challenge":"abc"}' })
    const [logged] = await inboundRequests(server, apiKey, trigger.id)
    expect(logged.outcome).toBe('handshake')
    expect(await triggerEvents(server, apiKey)).toEqual([])
  })
})
