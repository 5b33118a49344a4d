import { v5 } from 'uuid'
import { describe, expect, it } from 'vitest'
import { recordId, recordIdNamespace } from '../../src/syncs/record-ids.ts'

describe('recordId', () => {
  it('is the UUIDv5 of "syncId:externalId" that uuid computes, for any external id', () => {
    const syncId = '0197aaaa-bbbb-7ccc-8ddd-eeeeffff0000'
    // 500 generated ids cover every value of the nibbles the version and variant bits overwrite.
    const generated = Array.from({ length: 500 }, (_, i) => `file-${i}-${(i * 7919).toString(36)}`)
    const externalIds = [
      'file-1',
      '',
      'Résumé ✓ 📄',
      'a:b:c',
      'x'.repeat(2000),
      '\u0000',
      ...generated,
    ]
    for (const externalId of externalIds)
      expect(recordId(syncId, externalId)).toBe(v5(`${syncId}:${externalId}`, recordIdNamespace))
  })

  it('never changes: ids stored by earlier versions stay valid', () => {
    // Computed with uuid's v5 before recordId had its own implementation.
    expect(recordId('0197AAAA-bbbb-7ccc-8ddd-eeeeffff0000', 'file-1')).toBe(
      'a90599ed-fb79-564a-97e7-a88daf49cffb',
    )
    expect(recordId('0197aaaa-bbbb-7ccc-8ddd-eeeeffff0000', 'Résumé ✓ 📄')).toBe(
      '2426b2ef-82b8-5ce8-8534-245b05fa6616',
    )
  })
})
