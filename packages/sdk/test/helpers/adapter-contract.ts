import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SwitchyardWebhookEvent } from '../../src/index.ts'
import { syncComplete } from './fixtures.ts'
import { referenceHeaders } from './reference-signer.ts'

/** A framework app serving the adapter under test on 127.0.0.1:0. */
export interface AdapterServer {
  /** The webhook endpoint's full URL. */
  url: string
  close(): Promise<void>
}

/** Starts the app; `received` collects the events its handler was given. */
export type StartAdapter = (
  secret: string,
  received: SwitchyardWebhookEvent[],
) => Promise<AdapterServer>

export const adapterSecret = 'whsec_' + btoa('adapter-contract-secret-32-bytes')

/**
 * What every adapter must do, checked with real HTTP requests signed by the reference
 * `standardwebhooks` package.
 */
export function describeAdapterContract(name: string, start: StartAdapter): void {
  describe(`${name} (contract)`, () => {
    const received: SwitchyardWebhookEvent[] = []
    let server: AdapterServer
    beforeAll(async () => {
      server = await start(adapterSecret, received)
    })
    afterAll(() => server.close())

    const body = JSON.stringify(syncComplete)
    const post = (headers: Record<string, string>, payload = body) =>
      fetch(server.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: payload,
      })
    const expectRefused = async (response: Response, code: string) => {
      expect(response.status).toBe(400)
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)
      expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } })
    }

    it('hands a validly signed event to the handler', async () => {
      received.length = 0
      const response = await post(referenceHeaders(adapterSecret, body))
      expect(response.status).toBe(204)
      expect(received).toEqual([syncComplete])
    })

    it('refuses a tampered body with 400 invalid_signature', async () => {
      received.length = 0
      const tampered = body.replace('"numRecords":1000', '"numRecords":1001')
      await expectRefused(
        await post(referenceHeaders(adapterSecret, body), tampered),
        'invalid_signature',
      )
      expect(received).toEqual([])
    })

    it('refuses a signature made with another secret with 400 invalid_signature', async () => {
      const other = 'whsec_' + btoa('another-secret-of-thirty-two-byt')
      await expectRefused(await post(referenceHeaders(other, body)), 'invalid_signature')
    })

    it('refuses a stale timestamp with 400 timestamp_too_old', async () => {
      const at = new Date(Date.now() - 10 * 60_000)
      await expectRefused(
        await post(referenceHeaders(adapterSecret, body, { at })),
        'timestamp_too_old',
      )
    })

    it('refuses a request without signature headers with 400 missing_headers', async () => {
      await expectRefused(await post({}), 'missing_headers')
    })
  })
}
