// Regenerates the docs that are derived from code: `npm run docs -w switchyard`.
import fs from 'node:fs/promises'
import { pino } from 'pino'
import { loadConfig } from '../src/config.ts'
import { renderApiDoc, type OpenApiDocument } from '../src/docs/api.ts'
import { renderWireFormatsDoc } from '../src/docs/wire-formats.ts'
import { startEngine } from '../src/main.ts'
import { openPglite } from '../src/store/index.ts'

const docs = new URL('../../../docs/', import.meta.url)
await fs.writeFile(new URL('wire-formats.md', docs), renderWireFormatsDoc())

// The API doc comes from the OpenAPI document of a real server on a throwaway in-memory store.
const db = await openPglite()
const engine = await startEngine(loadConfig({}, { port: 0, role: 'api', logLevel: 'silent' }), {
  db,
  logger: pino({ level: 'silent' }),
})
const openapi = (await (await fetch(`${engine.url}/openapi.json`)).json()) as OpenApiDocument
await engine.close()
await db.close()
await fs.writeFile(new URL('api.md', docs), renderApiDoc(openapi))
console.log(`wrote ${new URL('wire-formats.md', docs).pathname} and api.md`)
