import { describe, expect, it } from 'vitest'
import {
  canonicalTypes,
  resolveEventFilter,
  wireFormats,
  wireName,
} from '../../src/catalog/index.ts'

describe('wireName', () => {
  it('names a type in each seed vocabulary', () => {
    expect(wireName('managed-sync', 'sync.completed')).toBe('sync_complete')
    expect(wireName('workspace', 'record.updated')).toBe('integration_updated_data_model')
    expect(wireName('monitoring', 'credential.failed')).toBe('credentials_failure')
  })

  it('returns null for a blank cell of the design table', () => {
    expect(wireName('monitoring', 'record.created')).toBeNull()
  })

  it('uses the canonical name in the standard format', () => {
    for (const type of canonicalTypes) expect(wireName('standard', type)).toBe(type)
  })

  it('gives every name one canonical type across formats', () => {
    const seen = new Map<string, string>()
    for (const type of canonicalTypes) {
      for (const format of wireFormats) {
        const name = wireName(format, type)
        if (name === null) continue
        expect(seen.get(name) ?? type).toBe(type)
        seen.set(name, type)
      }
    }
  })
})

describe('resolveEventFilter', () => {
  it('maps format names to canonical types', () => {
    expect(
      resolveEventFilter(['record_created', 'integration_new_data_model', 'workflow_failure']),
    ).toStrictEqual({
      ok: true,
      types: ['record.created', 'workflow.failed'],
    })
  })

  it('accepts canonical names and lists types in catalog order', () => {
    expect(resolveEventFilter(['webhook.test', 'sync.completed'])).toStrictEqual({
      ok: true,
      types: ['sync.completed', 'webhook.test'],
    })
  })

  it('returns "*" for a filter with a wildcard', () => {
    expect(resolveEventFilter(['record_created', '*'])).toStrictEqual({ ok: true, types: '*' })
  })

  it('reports every unknown name once', () => {
    expect(
      resolveEventFilter(['record_made', 'sync_complete', 'Record.Created', 'record_made']),
    ).toStrictEqual({
      ok: false,
      unknown: ['record_made', 'Record.Created'],
    })
  })

  it('returns no types for an empty filter', () => {
    expect(resolveEventFilter([])).toStrictEqual({ ok: true, types: [] })
  })
})
