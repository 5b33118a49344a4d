/**
 * bench/chaos: the fault suite (issue #9, item 6). On a PRIVATE PostgreSQL cluster (never the
 * shared one: this suite restarts it), one `--role api` and three `--role worker` processes take
 * events (single and batch) and signed /hooks requests at a fixed rate, delivering to four
 * destinations on bench/receiver.ts: three on /fault (500, hang, reset on early attempts) and one
 * on /slow. Scenarios run one after another, each with its own load:
 *
 *   receivers   only the failing, hanging, resetting and slow receivers
 *   sigkill     a worker SIGKILLed mid-send (then a new one started, as a supervisor would)
 *   postgres    PostgreSQL stopped mid-load and started again after a few seconds
 *   clock       one worker restarted with its clock 2 minutes ahead, one 2 minutes behind
 *   disk-full   the embedded store (PGlite) on a tmpfs that fills up (bench/chaos-disk-full.ts)
 *
 * After each, everything is accounted for (bench/chaos-account.ts); missing must be 0.
 *
 *   npm run test:chaos                     # full form, bench/results/chaos.json
 *   npm run test:chaos -- --short          # CI form, bench/results/chaos-short.json
 *   npm run test:chaos -- --only sigkill,postgres
 *   CHAOS_RESULTS=/tmp/x.json ...          # write the figures elsewhere
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { account, waitForDrain } from './chaos-account.ts'
import { runDiskFull } from './chaos-disk-full.ts'
import { freshStore, sleep, startReceiver, startServer, type RunningServer } from './lib.ts'
import { prepareProject, startLoad, type LoadTarget } from './load.ts'
import { startPrivatePostgres } from './private-postgres.ts'

const short = process.argv.includes('--short') || process.env.CHAOS_SHORT === '1'
const onlyAt = process.argv.indexOf('--only')
const only = onlyAt > 0 ? process.argv[onlyAt + 1]?.split(',') : undefined
const plan = {
  ...(short
    ? { loadSeconds: 8, eventsPerSecond: 100, hooksPerSecond: 20, kills: 1, restarts: 1 }
    : { loadSeconds: 60, eventsPerSecond: 200, hooksPerSecond: 40, kills: 3, restarts: 3 }),
  downSeconds: short ? 1 : 3,
}
if (process.env.CHAOS_LOAD_SECONDS) plan.loadSeconds = Number(process.env.CHAOS_LOAD_SECONDS)
// The short form puts its faults in one scenario: each fault that strands a lease costs a drain
// of 30-60 s (a delivery lease's 30 s margin, the inbound router's 60 s lease), paid once.
const scenarioNames = short
  ? ['combined']
  : ['receivers', 'sigkill', 'postgres', 'clock', 'disk-full']
const selected = scenarioNames.filter((s) => !only || only.includes(s))
const resultsFile =
  process.env.CHAOS_RESULTS ??
  new URL(`./results/${short ? 'chaos-short' : 'chaos'}.json`, import.meta.url).pathname
const drainTimeoutMs = short ? 120_000 : 600_000
const secretKey = 'chaos-secret-key'
const t0 = performance.now()
const log = (msg: string) =>
  console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}`)

type Faults = Record<string, number>
interface ReceiverStats {
  ok: number
  failed: number
  hung: number
  reset: number
  slow: number
}

const pg = await startPrivatePostgres()
log(`private PostgreSQL on port ${pg.port} (${pg.dataDir})`)
const store = await freshStore(pg.url)
const receiver = await startReceiver()
const rows: Record<string, unknown>[] = []
const workers: RunningServer[] = []
let apiServer: RunningServer | undefined
try {
  apiServer = await startServer(store, { SWITCHYARD_SECRET_KEY: secretKey }, ['--role', 'api'])
  const project = await prepareProject(apiServer, {
    destinationUrls: ['fault/d0', 'fault/d1', 'fault/d2', 'slow/d3'].map(
      (p) => `${receiver.url}/${p}`,
    ),
    timeoutMs: 1500,
    retrySchedule: [1, 1, 2, 2, 3, 5, 5, 5],
  })
  for (let i = 0; i < 3; i++) workers.push(await startWorker())
  log(`api + ${workers.length} workers up`)
  const target = (): LoadTarget => ({ ...apiServer!, hookPath: project.hookPath })

  for (const name of selected) {
    if (name === 'disk-full') {
      log('disk-full: the embedded store on a small tmpfs')
      rows.push({ scenario: name, ...(await runDiskFull(receiver, log)) })
      continue
    }
    log(`${name}: load for ${plan.loadSeconds} s`)
    const before = await receiver.get<ReceiverStats>('/stats')
    const load = startLoad(target, { ...plan, batchSize: 10, batchShare: 0.5, tag: name })
    const faults = await inject(name)
    const result = await load.stop()
    const crashedProcesses = await reviveCrashed()
    const started = performance.now()
    const drained = await waitForDrain(store.url!, drainTimeoutMs)
    const drainSeconds = Number(((performance.now() - started) / 1000).toFixed(1))
    const after = await receiver.get<ReceiverStats>('/stats')
    const counts = await account(store.url!, receiver, result, {
      triggerId: project.triggerId,
      destinationCount: project.destinationIds.length,
    })
    const row = {
      scenario: name,
      ...receiverFaults(before, after),
      ...faults,
      crashedProcesses,
      refused: { ...result.refused },
      drained,
      drainSeconds,
      ...counts,
    }
    rows.push(row)
    log(`${name}: ${JSON.stringify(row)}`)
    await restoreClocks()
  }
} finally {
  for (const p of [...workers, apiServer]) if (p) await stopProcess(p)
  await receiver.stop()
  await store.drop().catch(() => {})
  await pg.remove()
}

printTable(rows)
await fs.mkdir(path.dirname(resultsFile), { recursive: true })
const totals = {
  missing: rows.reduce((n, r) => n + Number(r.missing ?? 0), 0),
  duplicates: rows.reduce((n, r) => n + Number(r.duplicates ?? 0), 0),
  allDrained: rows.every((r) => r.drained !== false),
  notRun: rows
    .filter((r) => r.ran === false)
    .map((r) => `${String(r.scenario)}: ${String(r.reason)}`),
}
await fs.writeFile(
  resultsFile,
  JSON.stringify(
    {
      at: new Date().toISOString(),
      form: short ? 'short' : 'full',
      cpus: os.cpus().length,
      plan,
      totals,
      rows,
    },
    null,
    2,
  ) + '\n',
)
log(`written to ${path.relative(process.cwd(), resultsFile)}`)
if (totals.missing > 0 || !totals.allDrained || totals.notRun.length > 0) {
  console.error(
    `FAILED: ${totals.missing} missing; all drained: ${totals.allDrained}; not run: ${totals.notRun.join('; ') || 'none'}`,
  )
  process.exit(1)
}

/** Runs the scenario's faults while the load runs; returns what was injected. */
async function inject(name: string): Promise<Faults> {
  const ms = plan.loadSeconds * 1000
  switch (name) {
    case 'receivers':
      await sleep(ms)
      return {}
    case 'sigkill':
      for (let k = 0; k < plan.kills; k++) await sleep(ms / (plan.kills + 1)).then(killWorker)
      await sleep(ms / (plan.kills + 1))
      return { workersSigkilled: plan.kills }
    case 'postgres':
      for (let k = 0; k < plan.restarts; k++)
        await sleep(ms / (plan.restarts + 1)).then(restartPostgres)
      await sleep(ms / (plan.restarts + 1))
      return { postgresRestarts: plan.restarts }
    case 'combined':
      await sleep(ms / 3).then(killWorker)
      await sleep(ms / 3).then(restartPostgres)
      await sleep(ms / 3)
      return { workersSigkilled: 1, postgresRestarts: 1 }
    case 'clock':
      await sleep(ms / 3)
      await replaceWorker(0, 2 * 60_000)
      await replaceWorker(1, -2 * 60_000)
      log('worker clocks jumped: +2 min and -2 min')
      await sleep((2 * ms) / 3)
      return { clockJumps: 2 }
    default:
      throw new Error(`unknown scenario ${name}`)
  }
}

/** SIGKILLs the oldest worker mid-send and starts a new one, as a supervisor would. */
async function killWorker(): Promise<void> {
  const victim = workers.shift()!
  const exited = new Promise((resolve) => victim.child.once('exit', resolve))
  victim.child.kill('SIGKILL')
  await exited
  log(`SIGKILLed worker ${victim.child.pid}`)
  workers.push(await startWorker())
}

/** A fast shutdown (sessions ended), `downSeconds` of no database, a start. */
async function restartPostgres(): Promise<void> {
  await pg.stop()
  log(`PostgreSQL stopped; starting it again in ${plan.downSeconds} s`)
  await sleep(plan.downSeconds * 1000)
  await pg.start()
}

function receiverFaults(before: ReceiverStats, after: ReceiverStats): Faults {
  return {
    receiver500s: after.failed - before.failed,
    receiverHangs: after.hung - before.hung,
    receiverResets: after.reset - before.reset,
    receiverSlow: after.slow - before.slow,
  }
}

async function startWorker(clockOffsetMs = 0): Promise<RunningServer> {
  const env: Record<string, string> = { SWITCHYARD_SECRET_KEY: secretKey }
  if (clockOffsetMs) env.SWITCHYARD_CLOCK_OFFSET_MS = String(clockOffsetMs)
  const worker = await startServer(store, env, ['--role', 'worker'])
  return Object.assign(worker, { clockOffsetMs })
}

async function replaceWorker(index: number, clockOffsetMs: number): Promise<void> {
  await stopProcess(workers[index]!)
  workers[index] = await startWorker(clockOffsetMs)
}

/** Workers with a jumped clock go back to the true time once their scenario is accounted for. */
async function restoreClocks(): Promise<void> {
  for (const [i, w] of workers.entries())
    if ((w as { clockOffsetMs?: number }).clockOffsetMs) await replaceWorker(i, 0)
}

/** A process that exited on its own is a finding: counted, then started again like a supervisor would. */
async function reviveCrashed(): Promise<number> {
  let crashed = 0
  for (const [i, w] of workers.entries()) {
    if (w.child.exitCode === null && w.child.signalCode === null) continue
    crashed++
    log(`worker ${w.child.pid} exited on its own (${w.child.exitCode ?? w.child.signalCode})`)
    workers[i] = await startWorker()
  }
  if (apiServer && apiServer.child.exitCode !== null) {
    crashed++
    log(`api ${apiServer.child.pid} exited on its own (${apiServer.child.exitCode})`)
    apiServer = await startServer(store, { SWITCHYARD_SECRET_KEY: secretKey }, ['--role', 'api'])
  }
  return crashed
}

async function stopProcess(p: RunningServer): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return
  const exited = new Promise((resolve) => p.child.once('exit', resolve))
  p.child.kill('SIGTERM')
  const t = setTimeout(() => p.child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(t)
}

function printTable(results: Record<string, unknown>[]): void {
  const columns = [
    'scenario',
    'eventsAccepted',
    'hooksAccepted',
    'deliveriesExpected',
    'delivered',
    'duplicates',
    'missing',
    'drainSeconds',
  ]
  console.table(results.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? '']))))
}
