import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { eventsTarget, renderEventTypes } from '../../scripts/generate-events.ts'

describe('src/generated/events.ts', () => {
  it("matches the server's event catalog", async () => {
    const committed = await readFile(eventsTarget, 'utf8')
    const fresh = await renderEventTypes()
    expect(committed === fresh, 'stale: run `npm run generate -w @switchyard/sdk`').toBe(true)
  })
})
