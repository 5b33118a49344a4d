import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { apiTarget, renderApiTypes } from '../../scripts/generate-api.ts'
import { fetchOpenApiDocument } from '../../scripts/openapi-document.ts'

describe('src/generated/api.ts', () => {
  it('matches the /openapi.json of a server started from this tree', async () => {
    const committed = await readFile(apiTarget, 'utf8')
    const fresh = await renderApiTypes(await fetchOpenApiDocument())
    expect(committed === fresh, 'stale: run `npm run generate -w @switchyard/sdk`').toBe(true)
  })
})
