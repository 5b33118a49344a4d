import fs from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { renderWireFormatsDoc } from '../src/docs/wire-formats.ts'

describe('generated docs', () => {
  it('keeps docs/wire-formats.md equal to what the catalog renders', async () => {
    const committed = await fs.readFile(
      new URL('../../../docs/wire-formats.md', import.meta.url),
      'utf8',
    )
    expect(committed, 'docs/wire-formats.md is stale: run `npm run docs -w switchyard`').toBe(
      renderWireFormatsDoc(),
    )
  })
})
