/**
 * CPU time from /proc (Linux) for the delivery benches: a process's own, and PostgreSQL's counted
 * per database — the backends `pg_stat_activity` lists for it, each read from /proc/<pid>/stat.
 * The walwriter, checkpointer and other shared processes are nobody's and are not counted.
 *
 * @example
 * const db = await watchDatabaseCpu(adminUrl, 'switchyard_bench_ab12')
 * const worker = processCpu(child.pid!)
 * // … run …
 * const seconds = { worker: worker(), postgres: await db.stop() }
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import pg from 'pg'

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100

/** utime + stime of `pid` (all its threads) in clock ticks; null once the process is gone. */
export function readTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return null
  }
}

/** Starts counting `pid`'s CPU now; the returned function gives the seconds spent since. */
export function processCpu(pid: number): () => number {
  const base = readTicks(pid) ?? 0
  let last = base
  return () => {
    last = readTicks(pid) ?? last
    return (last - base) / ticksPerSecond
  }
}

export interface DatabaseCpu {
  /** Seconds of CPU the database's backends spent since the watch began; stops sampling. */
  stop: () => Promise<number>
}

/**
 * Samples every `everyMs` which backends serve `database` and their CPU ticks. A backend present
 * at the start counts from its ticks then; one that appears later counts from zero (it was forked
 * during the run). A backend that exits between samples loses at most one interval.
 */
export async function watchDatabaseCpu(
  adminUrl: string,
  database: string,
  everyMs = 100,
): Promise<DatabaseCpu> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  const seen = new Map<number, { base: number; last: number }>()
  const sample = async (first: boolean) => {
    const { rows } = await admin.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = $1',
      [database],
    )
    for (const { pid } of rows) {
      const ticks = readTicks(pid)
      if (ticks === null) continue
      const entry = seen.get(pid)
      if (entry) entry.last = ticks
      else seen.set(pid, { base: first ? ticks : 0, last: ticks })
    }
  }
  await sample(true)
  let sampling = Promise.resolve()
  const timer = setInterval(() => {
    sampling = sampling.then(() => sample(false)).catch(() => {})
  }, everyMs)
  return {
    stop: async () => {
      clearInterval(timer)
      await sampling
      await sample(false)
      await admin.end()
      let ticks = 0
      for (const { base, last } of seen.values()) ticks += last - base
      return ticks / ticksPerSecond
    },
  }
}
