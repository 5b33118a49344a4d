import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig } from '../../server/src/config.ts'
import { startEngine, type Engine } from '../../server/src/main.ts'

/** A real Switchyard for generation and tests, with a function that stops it and removes its data. */
export interface TempEngine {
  engine: Engine
  close(): Promise<void>
}

/**
 * Starts a real Switchyard: API role, PGlite in a fresh temp dir, 127.0.0.1 on a free port, and
 * `adminToken` as the instance admin token. It ignores the environment (`DATABASE_URL` included).
 *
 * @example const { engine, close } = await startTempEngine('admin'); … ; await close()
 */
export async function startTempEngine(adminToken = 'sdk-generate'): Promise<TempEngine> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'switchyard-sdk-'))
  const removeData = () => rm(dataDir, { recursive: true, force: true })
  try {
    const config = loadConfig({}, { port: 0, adminToken, dataDir, role: 'api', logLevel: 'silent' })
    const engine = await startEngine(config)
    return { engine, close: () => engine.close().finally(removeData) }
  } catch (error) {
    await removeData()
    throw error
  }
}

/**
 * The server's `/openapi.json`, read from a server started in-process for the purpose.
 *
 * @example const document = await fetchOpenApiDocument()
 */
export async function fetchOpenApiDocument(): Promise<Record<string, unknown>> {
  const { engine, close } = await startTempEngine()
  try {
    const response = await fetch(`${engine.url}/openapi.json`)
    if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`)
    return (await response.json()) as Record<string, unknown>
  } finally {
    await close()
  }
}
