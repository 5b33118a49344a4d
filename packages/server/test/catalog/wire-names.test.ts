import { describe, expect, it } from 'vitest'
import {
  canonicalTypes,
  formatsCarrying,
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

describe('formatsCarrying', () => {
  it('lists the formats with a name for the type, in catalog order', () => {
    expect(formatsCarrying('integration.installed')).toEqual(['workspace', 'standard'])
    expect(formatsCarrying('webhook.test')).toEqual([...wireFormats])
  })
})

describe('resolveEventFilter', () => {
  it('maps format names to canonical types', () => {
    expect(
      resolveEventFilter(['record_created', 'integration_new_data_model', 'workflow_failure']),
    ).toStrictEqual({
      ok: true,
      types: ['record.created', 'workflow.failed'],
      named: ['record.created', 'workflow.failed'],
    })
  })

  it('accepts canonical names and lists types in catalog order', () => {
    expect(resolveEventFilter(['webhook.test', 'sync.completed'])).toStrictEqual({
      ok: true,
      types: ['sync.completed', 'webhook.test'],
      named: ['sync.completed', 'webhook.test'],
    })
  })

  it('returns "*" for a filter with a wildcard, and the types it also names', () => {
    expect(resolveEventFilter(['record_created', '*'])).toStrictEqual({
      ok: true,
      types: '*',
      named: ['record.created'],
    })
  })

  it('maps webhook_verification and webhook_test both to webhook.test', () => {
    expect(resolveEventFilter(['webhook_verification', 'webhook_test'])).toMatchObject({
      types: ['webhook.test'],
    })
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
    expect(resolveEventFilter([])).toStrictEqual({ ok: true, types: [], named: [] })
  })
})
