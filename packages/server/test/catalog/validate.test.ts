import { describe, expect, it } from 'vitest'
import { canonicalTypes, isCanonicalType, validateEventData } from '../../src/catalog/index.ts'
import { goldenCases } from './golden-cases.ts'
import { sampleEvent } from '../../src/catalog/index.ts'

describe('validateEventData', () => {
  it('accepts the sample data of every type', () => {
    for (const type of canonicalTypes) {
      expect(validateEventData(type, sampleEvent(type).data), type).toStrictEqual({ ok: true })
    }
  })

  it('accepts the data of every seed example event', () => {
    for (const { fixture, event } of goldenCases) {
      expect(validateEventData(event.type, event.data), fixture).toStrictEqual({ ok: true })
    }
  })

  it('reports a missing required field at its path', () => {
    expect(validateEventData('record.created', { syncId: 's1', recordId: 'r1' })).toStrictEqual({
      ok: false,
      errors: [{ path: '/data/model', message: 'is required' }],
    })
  })

  it('rejects a field the type does not define', () => {
    const result = validateEventData('credential.fixed', { reason: 'reconnected' })
    expect(result).toStrictEqual({
      ok: false,
      errors: [{ path: '/data/reason', message: 'is not allowed' }],
    })
  })

  it('reports every bad field at once', () => {
    const result = validateEventData('sync.completed', {
      syncId: 's1',
      model: 'files',
      syncedAt: 'yesterday',
      numRecords: -1,
    })
    expect(result.ok === false && result.errors.map((error) => error.path)).toEqual([
      '/data/syncedAt',
      '/data/numRecords',
    ])
  })

  it('rejects a fractional record count', () => {
    const data = {
      syncId: 's1',
      model: 'files',
      syncedAt: '2025-07-07T19:00:00.000Z',
      numRecords: 1.5,
    }
    expect(validateEventData('sync.completed', data)).toMatchObject({
      ok: false,
      errors: [{ path: '/data/numRecords', message: 'must be integer' }],
    })
  })

  it('reports a nested field with its full path', () => {
    const data = { workflow: { id: 'wf_1' }, execution: { id: 'exec_1' }, error: 'boom' }
    expect(validateEventData('workflow.failed', data)).toStrictEqual({
      ok: false,
      errors: [{ path: '/data/workflow/name', message: 'is required' }],
    })
  })

  it('rejects data that is not an object at /data', () => {
    expect(validateEventData('webhook.test', 'ping')).toStrictEqual({
      ok: false,
      errors: [{ path: '/data', message: 'must be object' }],
    })
  })

  it('accepts any payload on trigger.received', () => {
    const data = { ...sampleEvent('trigger.received').data, payload: 'raw=text&form=1' }
    expect(validateEventData('trigger.received', data)).toStrictEqual({ ok: true })
  })
})

describe('isCanonicalType', () => {
  it('tells canonical names from wire names', () => {
    expect(isCanonicalType('record.created')).toBe(true)
    expect(isCanonicalType('record_created')).toBe(false)
  })
})
