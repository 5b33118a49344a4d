import fs from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderApiDoc } from '../src/docs/api.ts'
import { renderWireFormatsDoc } from '../src/docs/wire-formats.ts'
import { startTestServer, type TestServer } from './helpers/server.ts'

const doc = (name: string) => fs.readFile(new URL(`../../../docs/${name}`, import.meta.url), 'utf8')

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

describe('generated docs', () => {
  it('keeps docs/wire-formats.md equal to what the catalog renders', async () => {
    expect(await doc('wire-formats.md'), 'stale: run `npm run docs -w switchyard`').toBe(
      renderWireFormatsDoc(),
    )
  })

  it('keeps docs/api.md equal to what the server describes in /openapi.json', async () => {
    const openapi = (await server.api('GET', '/openapi.json')).body
    expect(await doc('api.md'), 'stale: run `npm run docs -w switchyard`').toBe(
      renderApiDoc(openapi),
    )
  })
})
