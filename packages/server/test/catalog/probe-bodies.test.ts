import { describe, expect, it } from 'vitest'
import { renderWireFormat } from '../../src/catalog/index.ts'
import { probeCases, probeEvent, readSeed, seedOptions } from './golden-cases.ts'

/**
 * What Paragon's example receiver (useparagon/managed-sync-s3-uploader, src/routes/webhooks.ts)
 * answers, rewritten here: 200 to `webhook_verification`, else 400 unless event,
 * syncInstanceId and user.id are all there.
 */
function strictReceiverStatus(body: unknown): number {
  if (!body || typeof body !== 'object') return 400
  const event = body as { event?: unknown; syncInstanceId?: unknown; user?: { id?: unknown } }
  if (event.event === 'webhook_verification') return 200
  if (!event.event || !event.syncInstanceId || !event.user?.id) return 400
  return 200
}

describe('probe bodies', () => {
  for (const { fixture, format, event } of probeCases) {
    it(`renders the ${format} probe equal to ${fixture}, byte for byte`, () => {
      const body = renderWireFormat(format, event, seedOptions)
      expect(JSON.stringify(body)).toBe(JSON.stringify(readSeed(fixture)))
    })
  }

  it('sends managed-sync receivers the verification ping and nothing else', () => {
    expect(renderWireFormat('managed-sync', probeEvent, seedOptions)).toStrictEqual({
      event: 'webhook_verification',
    })
  })

  it('is answered 200 by a receiver that requires syncInstanceId and user.id', () => {
    const body = JSON.parse(
      JSON.stringify(renderWireFormat('managed-sync', probeEvent, seedOptions)),
    )
    expect(strictReceiverStatus(body)).toBe(200)
  })

  it('stays the bare ping when the test event carries a user and credential', () => {
    const event = { ...probeEvent, userId: 'user_1', credentialId: 'cred_1' }
    expect(renderWireFormat('managed-sync', event, seedOptions)).toStrictEqual({
      event: 'webhook_verification',
    })
  })

  it('keeps the seed name webhook_test in workspace and monitoring', () => {
    expect(renderWireFormat('workspace', probeEvent, seedOptions)).toMatchObject({
      event: 'webhook_test',
      payload: { test: true },
    })
    expect(renderWireFormat('monitoring', probeEvent, seedOptions)).toMatchObject({
      type: 'webhook_test',
      data: { test: true },
    })
  })
})
