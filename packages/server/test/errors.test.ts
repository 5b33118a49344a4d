import fs from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { errorCatalog } from '../src/errors.ts'

const docPath = new URL('../../../docs/errors.md', import.meta.url)

async function documentedErrors(): Promise<Map<string, number>> {
  const text = await fs.readFile(docPath, 'utf8')
  const rows = [...text.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)]
  return new Map(rows.map((m) => [m[1]!, Number(m[2])]))
}

describe('error catalogue', () => {
  it('documents every code with its status in docs/errors.md', async () => {
    const documented = await documentedErrors()
    for (const [code, { status }] of Object.entries(errorCatalog)) {
      expect(documented.get(code), `docs/errors.md row for ${code}`).toBe(status)
    }
  })

  it('documents no code that the catalogue lacks', async () => {
    const documented = await documentedErrors()
    expect([...documented.keys()].filter((code) => !(code in errorCatalog))).toEqual([])
  })
})
