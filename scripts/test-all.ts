// `npm test`: lint, typecheck, then each workspace's tests, every step run to its end even after
// another failed, and one summary of them all as the last thing on the screen, so a green suite
// printed last cannot hide a red one above it. Exits 1 if any step failed.
//
// Counts come from each workspace's Vitest JSON report, which its vitest.config.ts writes to
// `$SWITCHYARD_TEST_RESULTS.<folder>.json` (packages/server → `.server.json`). .ci/run sets
// the variable to keep the reports; without it they go to a temporary folder.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

interface Counts {
  passed: number
  failed: number
  skipped: number
  failedFiles: string[]
}

interface Outcome {
  name: string
  ok: boolean
  seconds: number
  counts?: Counts
  note?: string
}

const root = path.resolve(import.meta.dirname, '..')
const tempDir = process.env.SWITCHYARD_TEST_RESULTS
  ? undefined
  : fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-test-'))
const resultsPrefix = process.env.SWITCHYARD_TEST_RESULTS ?? path.join(tempDir!, 'results')

/** Runs an npm script with inherited output; resolves with whether it exited 0, and its time. */
function npm(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const started = Date.now()
  return new Promise<{ ok: boolean; seconds: number }>((resolve) => {
    const child = spawn('npm', args, { cwd: root, env, stdio: 'inherit' })
    const done = (ok: boolean) => resolve({ ok, seconds: (Date.now() - started) / 1000 })
    child.once('error', () => done(false))
    child.once('exit', (code) => done(code === 0))
  })
}

/** The tests of one workspace: its exit code decides, its JSON report gives the counts. */
async function testWorkspace(dir: string): Promise<Outcome> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'))
  if (!manifest.scripts?.test)
    return { name: manifest.name, ok: true, seconds: 0, note: 'no tests' }
  const report = `${resultsPrefix}.${path.basename(dir)}.json`
  fs.rmSync(report, { force: true })
  banner(`${manifest.name}: tests`)
  const run = await npm(['test', '--workspace', dir], {
    ...process.env,
    SWITCHYARD_TEST_RESULTS: resultsPrefix,
  })
  const counts = readReport(report, path.join(root, dir))
  return {
    name: manifest.name,
    ...run,
    counts,
    note: counts ? undefined : `no report at ${report}`,
  }
}

function readReport(file: string, dir: string): Counts | undefined {
  if (!fs.existsSync(file)) return undefined
  const report = JSON.parse(fs.readFileSync(file, 'utf8'))
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + (report.numTodoTests ?? 0),
    failedFiles: (report.testResults as { name: string; status: string }[])
      .filter((file) => file.status === 'failed')
      .map((file) => path.relative(dir, file.name)),
  }
}

function banner(title: string): void {
  process.stdout.write(`\n=== ${title}\n`)
}

function formatTime(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`
}

function summaryLine(outcome: Outcome): string {
  const mark = outcome.ok ? '✓' : '✗'
  const { counts } = outcome
  const detail = counts
    ? `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`
    : (outcome.note ?? (outcome.ok ? 'passed' : 'failed'))
  const time = outcome.seconds ? formatTime(outcome.seconds) : ''
  return `  ${mark} ${outcome.name.padEnd(22)} ${detail.padEnd(44)} ${time}`
}

function printSummary(outcomes: Outcome[]): boolean {
  const failed = outcomes.filter((outcome) => !outcome.ok)
  banner('summary')
  for (const outcome of outcomes) {
    process.stdout.write(summaryLine(outcome) + '\n')
    for (const file of outcome.counts?.failedFiles ?? [])
      process.stdout.write(`      failed: ${file}\n`)
  }
  const verdict = failed.length
    ? `npm test: FAILED (${failed.map((outcome) => outcome.name).join(', ')})`
    : `npm test: PASSED (${outcomes.length} steps)`
  process.stdout.write(`\n${verdict}\n`)
  return failed.length === 0
}

const outcomes: Outcome[] = []
banner('lint')
outcomes.push({ name: 'lint', ...(await npm(['run', 'lint'])) })
banner('typecheck')
outcomes.push({ name: 'typecheck', ...(await npm(['run', 'typecheck'])) })
const workspaces: string[] = JSON.parse(
  fs.readFileSync(path.join(root, 'package.json'), 'utf8'),
).workspaces
for (const dir of workspaces) outcomes.push(await testWorkspace(dir))
const passed = printSummary(outcomes)
if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true })
process.exitCode = passed ? 0 : 1
