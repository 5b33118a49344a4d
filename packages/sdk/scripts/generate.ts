/**
 * Regenerates the SDK's types from the server: `src/generated/events.ts` from the event catalog
 * and `src/generated/api.ts` from `/openapi.json` (read from a server started in-process).
 *
 * @example
 * node scripts/generate.ts          # both
 * node scripts/generate.ts events   # only the event types (no server needed)
 */
import { writeFile } from 'node:fs/promises'
import { apiTarget, renderApiTypes } from './generate-api.ts'
import { eventsTarget, renderEventTypes } from './generate-events.ts'
import { fetchOpenApiDocument } from './openapi-document.ts'

const wanted = new Set(process.argv.slice(2))
const all = wanted.size === 0

if (all || wanted.has('events')) {
  await writeFile(eventsTarget, await renderEventTypes())
  console.log(`wrote ${eventsTarget.pathname}`)
}
if (all || wanted.has('api')) {
  await writeFile(apiTarget, await renderApiTypes(await fetchOpenApiDocument()))
  console.log(`wrote ${apiTarget.pathname}`)
}
