import { describe, expect, it } from 'vitest'
import { canonicalTypes, describeEventTypes, wireFormats } from '../../src/catalog/index.ts'

describe('describeEventTypes', () => {
  it('lists all 14 canonical types in catalog order', () => {
    expect(describeEventTypes().map((row) => row.type)).toEqual([...canonicalTypes])
    expect(canonicalTypes).toHaveLength(14)
  })

  it('gives each type its name in every format', () => {
    const row = describeEventTypes().find((each) => each.type === 'credential.failed')
    expect(row?.names).toStrictEqual({
      'managed-sync': null,
      workspace: 'integration_cannot_refresh_oauth_token',
      monitoring: 'credentials_failure',
      standard: 'credential.failed',
    })
  })

  it('lists the formats that carry each type', () => {
    const rows = describeEventTypes()
    expect(rows.find((row) => row.type === 'integration.installed')?.formats).toEqual([
      'workspace',
      'standard',
    ])
    for (const row of rows)
      expect(row.formats).toEqual(wireFormats.filter((format) => row.names[format] !== null))
  })

  it('has a body schema exactly where a format has a name', () => {
    for (const row of describeEventTypes()) {
      for (const format of wireFormats) {
        expect(row.bodySchemas[format] === null, `${row.type} ${format}`).toBe(
          row.names[format] === null,
        )
      }
    }
  })

  it('gives every type a description and a data schema', () => {
    for (const row of describeEventTypes()) {
      expect(row.description).not.toBe('')
      expect(row.dataSchema).toMatchObject({ type: 'object' })
    }
  })

  it('hands out copies the caller may change', () => {
    const first = describeEventTypes()[0]
    if (first) first.dataSchema['type'] = 'string'
    expect(describeEventTypes()[0]?.dataSchema['type']).toBe('object')
  })
})
