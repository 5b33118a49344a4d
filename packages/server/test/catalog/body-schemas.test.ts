import { describe, expect, it } from 'vitest'
import {
  canonicalTypes,
  renderWireFormat,
  validateWireBody,
  wireFormats,
  wireName,
} from '../../src/catalog/index.ts'
import { goldenCases, readSeed, seedOptions } from './golden-cases.ts'
import { sampleEvent } from '../../src/catalog/index.ts'

const options = { publicUrl: 'https://switchyard.example.com' }

describe('body schemas', () => {
  for (const { fixture, format, event } of goldenCases) {
    it(`accepts the rendered ${fixture}`, () => {
      const body = renderWireFormat(format, event, seedOptions)
      expect(validateWireBody(format, event.type, body)).toStrictEqual({ ok: true })
    })

    it(`accepts the ${fixture} fixture itself`, () => {
      expect(validateWireBody(format, event.type, readSeed(fixture))).toStrictEqual({ ok: true })
    })
  }

  it('accepts every body each format renders from the sample events', () => {
    for (const format of wireFormats) {
      for (const type of canonicalTypes) {
        const body = renderWireFormat(format, sampleEvent(type), options)
        if (body === null) continue
        expect(validateWireBody(format, type, body), `${format} ${type}`).toStrictEqual({
          ok: true,
        })
      }
    }
  })

  it('renders null exactly where a format has no name', () => {
    for (const format of wireFormats) {
      for (const type of canonicalTypes) {
        const body = renderWireFormat(format, sampleEvent(type), options)
        expect(body === null, `${format} ${type}`).toBe(wireName(format, type) === null)
      }
    }
  })

  it('rejects a body carrying another event name', () => {
    const body = {
      ...(readSeed('managed-sync-record-created.json') as object),
      event: 'record_updated',
    }
    expect(validateWireBody('managed-sync', 'record.created', body)).toMatchObject({
      ok: false,
      errors: [{ path: '/event' }],
    })
  })

  it('throws for a format with no body for the type', () => {
    expect(() => validateWireBody('monitoring', 'record.created', {})).toThrow(/no body/)
  })
})
