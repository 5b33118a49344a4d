import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createSync, driveSync, pushPage, startRun, files } from '../syncs/fixtures.ts'

/*
 * Issue #25 item 5: an empty body sent with `content-type: application/json` is no body. Where
 * the body is optional (POST …/runs/:run/complete, the destination actions…) it is taken; where
 * one is required it is refused in validation, never as invalid_json.
 */

let server: TestServer
let key: string

beforeAll(async () => {
  server = await startTestServer({ config: { role: 'api' } })
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

/** Sends `method path` with an empty body declared as JSON. */
async function sendEmpty(method: string, path: string) {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: '',
  })
  const text = await res.text()
  let code: string | null = null
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null
  } catch {}
  return { status: res.status, code, text }
}

describe('an empty JSON body', () => {
  it('completes a run (body documented optional) instead of answering invalid_json', async () => {
    const syncId = await createSync(server.api, key, driveSync)
    const runId = await startRun(server.api, key, syncId, 'INITIAL')
    await pushPage(server.api, key, syncId, runId, { records: files('a') })
    const res = await sendEmpty('POST', `/v1/syncs/${syncId}/runs/${runId}/complete`)
    expect(res.status, res.text).toBe(200)
    expect(JSON.parse(res.text)).toMatchObject({ run: { status: 'completed' } })
  })

  it('is refused as validation_failed where a body is required', async () => {
    expect(await sendEmpty('POST', '/v1/events')).toMatchObject({
      status: 400,
      code: 'validation_failed',
    })
  })

  it('is never invalid_json on any documented route that takes a body', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    let checked = 0
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops).map((m) => m.toUpperCase())) {
        if (method === 'GET' || method === 'HEAD') continue
        const concrete = path.replace(/\{(\w+)\}/g, () => randomUUID())
        const res = await sendEmpty(method, concrete)
        expect(res.code, `${method} ${path}: ${res.text}`).not.toBe('invalid_json')
        expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(500)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(30)
  }, 60_000)
})
