import { describe, expect, it } from 'vitest'
import { runHandshake } from '../../src/inbound/handshakes/index.ts'
import { requestView } from '../../src/inbound/request-view.ts'
import { verifyRequest } from '../../src/inbound/verifiers/index.ts'

/*
 * The providers' published test vectors (shared/reference/inbound-anchors.md §2), checked
 * in process: several sign a URL that is not a /hooks path, so the view is built directly.
 */

function view(o: {
  url: string
  method?: string
  headers?: Record<string, string>
  body?: string
}) {
  const url = new URL(o.url)
  return requestView(
    {
      method: o.method ?? 'POST',
      path: url.pathname,
      queryString: url.search.slice(1),
      headers: o.headers ?? {},
      body: Buffer.from(o.body ?? ''),
    },
    url.origin,
  )
}

const ctx = (nowMs: number) => ({
  secrets: async (refs: readonly unknown[]) =>
    refs.filter((r): r is string => typeof r === 'string'),
  now: new Date(nowMs),
  tenant: 'vectors',
})
const verify = (preset: string, secret: string, v: ReturnType<typeof view>, nowMs = Date.now()) =>
  verifyRequest({ preset, secrets: [secret] as never, options: {} }, v, ctx(nowMs))

describe('published verification vectors', () => {
  it('GitHub: "Hello, World!" with "It\'s a Secret to Everybody"', async () => {
    const v = view({
      url: 'https://h.example/hook',
      body: 'Hello, World!',
      headers: {
        'x-hub-signature-256':
          'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      },
    })
    expect(await verify('github', "It's a Secret to Everybody", v)).toEqual({ ok: true })
  })

  it('Stripe: t=1700000000 with whsec_test_secret, accepted at t, refused 10 minutes later', async () => {
    const v = view({
      url: 'https://h.example/hook',
      body: '{"id":"evt_test_webhook","object":"event"}',
      headers: {
        'stripe-signature':
          't=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990',
      },
    })
    expect(await verify('stripe', 'whsec_test_secret', v, 1_700_000_000_000)).toEqual({ ok: true })
    expect(await verify('stripe', 'whsec_test_secret', v, 1_700_000_600_000)).toMatchObject({
      ok: false,
    })
  })

  it("Slack: the slash command from Slack's docs", async () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c'
    const v = view({
      url: 'https://h.example/hook',
      body,
      headers: {
        'x-slack-request-timestamp': '1531420618',
        'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      },
    })
    expect(await verify('slack', '8f742231b10e8888abcd99yyyzzz85a5', v, 1_531_420_618_000)).toEqual(
      { ok: true },
    )
  })

  it("Twilio: form parameters from Twilio's docs, with and without :443", async () => {
    const body =
      'CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212'
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
    }
    expect(
      await verify(
        'twilio',
        '12345',
        view({ url: 'https://mycompany.com/myapp.php?foo=1&bar=2', body, headers }),
      ),
    ).toEqual({ ok: true })
    expect(
      await verify(
        'twilio',
        '12345',
        view({ url: 'https://mycompany.com:443/myapp.php?foo=1&bar=2', body, headers }),
      ),
    ).toEqual({ ok: true })
  })

  it('Twilio: the JSON body variant with bodySHA256', async () => {
    const v = view({
      url: 'https://example.com/hook?bodySHA256=ebc2c4ea03938ee05e18c1a712d9fa02de923d6f2db34b68fe1f8dcf651e479d',
      body: '{"event":"x"}',
      headers: {
        'content-type': 'application/json',
        'x-twilio-signature': 'Yd573KPI5R74MN8qyCq7n+mqHWs=',
      },
    })
    expect(await verify('twilio', '12345', v)).toEqual({ ok: true })
  })

  it('Shopify: {"id":1} with shop-secret', async () => {
    const v = view({
      url: 'https://h.example/hook',
      body: '{"id":1}',
      headers: { 'x-shopify-hmac-sha256': 'plW8VGqq0nDMIEhDqaNNW99asdUCy7EIqLZVcQwtAZ0=' },
    })
    expect(await verify('shopify', 'shop-secret', v)).toEqual({ ok: true })
  })

  const hubspotSecret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy'
  it('HubSpot v1, v2 (GET and POST) and v3', async () => {
    const v1Body =
      '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]'
    const sig = (s: string) => ({ 'x-hubspot-signature': s })
    expect(
      await verify(
        'hubspot-v1',
        hubspotSecret,
        view({
          url: 'https://h.example/x',
          body: v1Body,
          headers: sig('232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de'),
        }),
      ),
    ).toEqual({ ok: true })
    const uri = 'https://www.example.com/webhook_uri'
    expect(
      await verify(
        'hubspot-v2',
        hubspotSecret,
        view({
          url: uri,
          method: 'GET',
          headers: sig('eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e'),
        }),
      ),
    ).toEqual({ ok: true })
    const body = '{"example_field":"example_value"}'
    expect(
      await verify(
        'hubspot-v2',
        hubspotSecret,
        view({
          url: uri,
          body,
          headers: sig('9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900'),
        }),
      ),
    ).toEqual({ ok: true })
    const v3 = view({
      url: uri,
      body,
      headers: {
        'x-hubspot-request-timestamp': '1700000000000',
        'x-hubspot-signature-v3': 'rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=',
      },
    })
    expect(await verify('hubspot-v3', hubspotSecret, v3, 1_700_000_000_000)).toEqual({ ok: true })
  })

  it('Zoom: an event signature over v0:ts:body', async () => {
    const v = view({
      url: 'https://h.example/hook',
      body: '{"event":"meeting.started"}',
      headers: {
        'x-zm-request-timestamp': '1700000000',
        'x-zm-signature': 'v0=3e26cabfef3d31e659f8b672f08a7e4872438adf9c171b0122eefa5e8c0c6803',
      },
    })
    expect(await verify('zoom', 'zoom_secret_token', v, 1_700_000_000_000)).toEqual({ ok: true })
  })

  it('Dropbox, Trello, Square and LINE', async () => {
    expect(
      await verify(
        'dropbox',
        'the_secret',
        view({
          url: 'https://h.example/x',
          body: '{"delta": {"users": [12345]}}',
          headers: {
            'x-dropbox-signature':
              '0a8c16b085420b960dc78664279fe09e936a2a01b1f91064869d9e77dfd64529',
          },
        }),
      ),
    ).toEqual({ ok: true })
    expect(
      await verify(
        'trello',
        'app_secret',
        view({
          url: 'https://example.com/trello',
          body: '{"action":{}}',
          headers: { 'x-trello-webhook': 'GIIbEjcOHyTAGv1SVbG//YIF05I=' },
        }),
      ),
    ).toEqual({ ok: true })
    const squareBody =
      '{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}'
    expect(
      await verify(
        'square',
        'Ibxx_5AKakO-3qeNVR61Dw',
        view({
          url: 'https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9',
          body: squareBody,
          headers: {
            'x-square-hmacsha256-signature': 'GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4=',
          },
        }),
      ),
    ).toEqual({ ok: true })
    expect(
      await verify(
        'line',
        'channelsecret',
        view({
          url: 'https://h.example/x',
          body: '{"events":[]}',
          headers: { 'x-line-signature': 'n1arxrIQExU6/tqD9X0pBkbn1Wk47vff3C64zf8+wxU=' },
        }),
      ),
    ).toEqual({ ok: true })
  })

  it('Standard Webhooks: the spec vector, within 5 minutes only', async () => {
    const v = view({
      url: 'https://h.example/x',
      body: '{"test": 2432232314}',
      headers: {
        'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        'webhook-timestamp': '1614265330',
        'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      },
    })
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
    expect(await verify('standard-webhooks', secret, v, 1_614_265_330_000)).toEqual({ ok: true })
    expect(await verify('standard-webhooks', secret, v, 1_614_265_330_000 - 600_000)).toMatchObject(
      { ok: false, reason: expect.stringMatching(/future/) },
    )
  })

  it("SendGrid: the ECDSA vector from @sendgrid/eventwebhook's spec", async () => {
    const payload =
      JSON.stringify([
        {
          email: 'hello@world.com',
          event: 'dropped',
          reason: 'Bounced Address',
          sg_event_id: 'ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA',
          sg_message_id:
            'LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
          'smtp-id': '<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>',
          timestamp: 1600112492,
        },
      ]) + '\r\n'
    const v = view({
      url: 'https://h.example/x',
      body: payload,
      headers: {
        'x-twilio-email-event-webhook-timestamp': '1600112502',
        'x-twilio-email-event-webhook-signature':
          'MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=',
      },
    })
    const key =
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=='
    expect(await verify('sendgrid', key, v)).toEqual({ ok: true })
  })
})

describe('published handshake vectors', () => {
  const deps = (secret: string) => ({
    secret: async () => secret,
    persisted: async () => ({}),
    now: new Date(),
    tenant: 'vectors',
  })

  it('Zoom: encryptedToken for plainToken qgg8vlvZRS6UYooatFL8Aw', async () => {
    const v = view({
      url: 'https://h.example/x',
      body: '{"event":"endpoint.url_validation","payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"}}',
    })
    const result = await runHandshake({ preset: 'zoom' }, v, deps('zoom_secret_token'))
    expect(result).toMatchObject({ kind: 'answer', signed: true })
    expect(JSON.parse(String((result as { answer: { body: string } }).answer.body))).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: 'bd48235863f4a6323ccc4963c594908b7c97f88b4a6a95278f4f093690b12726',
    })
  })

  it('X: the CRC response token for crc_token uzwcfYtzr9 with consumer secret Convoy', async () => {
    const v = view({ url: 'https://h.example/x?crc_token=uzwcfYtzr9', method: 'GET' })
    const result = await runHandshake({ preset: 'x' }, v, deps('Convoy'))
    expect(JSON.parse(String((result as { answer: { body: string } }).answer.body))).toEqual({
      response_token: 'sha256=HXvxTdsfShG6k2zC9NVANwFquJBdOugRYHax2vNiiOo=',
    })
  })
})
