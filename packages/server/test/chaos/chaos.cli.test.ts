import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { spawnTracked } from '../helpers/processes.ts'

/*
 * The short form of the chaos suite (bench/chaos.ts --short): faulty receivers, a worker SIGKILLed
 * mid-send and PostgreSQL restarted mid-load, then every accepted event and hook accounted for.
 * It brings its own private PostgreSQL cluster (initdb on a free port) and never touches the one
 * DATABASE_URL names, so it runs once: in the PostgreSQL pass. In the PGlite pass it shows as
 * skipped. Without PostgreSQL server binaries it fails, saying so.
 */
const chaos = new URL('../../../../bench/chaos.ts', import.meta.url).pathname

interface ChaosResults {
  totals: { missing: number; duplicates: number; allDrained: boolean }
  rows: { scenario: string; missing: number; drained: boolean; eventsAccepted: number }[]
}

async function runShortChaos(resultsFile: string) {
  const child = spawnTracked(process.execPath, [chaos, '--short'], {
    env: { ...process.env, CHAOS_RESULTS: resultsFile, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { code, output }
}

describe.runIf(process.env.DATABASE_URL)('chaos suite, short form (private PostgreSQL)', () => {
  it('loses no accepted event or hook through failing receivers, a SIGKILL and a PostgreSQL restart', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-chaos-'))
    try {
      const file = path.join(dir, 'chaos.json')
      const { code, output } = await runShortChaos(file)
      expect(code, output.slice(-4000)).toBe(0)
      const results = JSON.parse(await fs.readFile(file, 'utf8')) as ChaosResults
      expect(results.rows.length).toBeGreaterThan(0)
      for (const row of results.rows) {
        expect(row.eventsAccepted, row.scenario).toBeGreaterThan(0)
        expect(row.drained, row.scenario).toBe(true)
        expect(row.missing, row.scenario).toBe(0)
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  }, 240_000)
})
