import fs from 'node:fs/promises'
import path from 'node:path'

/**
 * One process per embedded data dir. PGlite takes no lock of its own: a second engine on the
 * same `.switchyard` opened the store beside the first, and deleted the first's
 * `postmaster.pid` on exit (issue #26). The lock is `<dataDir>/switchyard.lock`, created with
 * O_EXCL and holding the owner's pid and start time; a lock whose process is gone (a SIGKILL, a
 * power cut) is taken over.
 */
export interface DataDirLock {
  /** Removes the lock file if it is still this process's. */
  release(): Promise<void>
}

interface LockOwner {
  pid: number
  startedAt: string
}

/** Thrown when another live process holds the data dir; the CLI prints it as one line. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError'
  readonly code = 'data_dir_in_use'

  constructor(dataDir: string, owner: LockOwner) {
    super(
      `${dataDir} is in use by process ${owner.pid} (since ${owner.startedAt}); stop that engine first, or give this one another --data-dir (SWITCHYARD_DATA_DIR).`,
    )
  }
}

const lockName = 'switchyard.lock'

/**
 * Takes the data dir for this process, or throws `DataDirInUseError` naming the holder.
 * @example const lock = await lockDataDir('/srv/.switchyard'); try { … } finally { await lock.release() }
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = path.join(dataDir, lockName)
  await fs.mkdir(dataDir, { recursive: true })
  const mine: LockOwner = { pid: process.pid, startedAt: new Date().toISOString() }
  const text = JSON.stringify(mine) + '\n'
  // Two rounds: the second follows the removal of a stale lock.
  for (let round = 0; round < 2; round++) {
    try {
      await fs.writeFile(file, text, { flag: 'wx', mode: 0o644 })
      return { release: () => releaseIfMine(file, text) }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const held = await fs.readFile(file, 'utf8').catch(() => '')
    const owner = parseOwner(held)
    if (owner && (await isRunning(owner))) throw new DataDirInUseError(dataDir, owner)
    // Stale (or unreadable: a crash while writing it). Removed only if unchanged since read, so
    // a lock another starter has just written is not removed. Two starters taking over the same
    // stale lock at once can still race; then PGlite's own files are what they share.
    if ((await fs.readFile(file, 'utf8').catch(() => null)) === held)
      await fs.rm(file, { force: true })
  }
  const owner = parseOwner(await fs.readFile(file, 'utf8').catch(() => ''))
  throw new DataDirInUseError(dataDir, owner ?? { pid: 0, startedAt: 'unknown' })
}

function parseOwner(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>
    if (typeof value.pid === 'number' && typeof value.startedAt === 'string')
      return { pid: value.pid, startedAt: value.startedAt }
  } catch {}
  return null
}

/**
 * Whether the lock's owner still runs. The pid alone can mislead: in a container the engine is
 * pid 1 on every start, and after a reboot another program may have the old pid. So our own pid
 * is never the owner, and on Linux a process that started after the lock was written is not it.
 */
async function isRunning(owner: LockOwner): Promise<boolean> {
  if (owner.pid === process.pid || owner.pid <= 0) return false
  try {
    process.kill(owner.pid, 0)
  } catch (error) {
    // EPERM: it runs, as another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const started = await processStartMs(owner.pid)
  const lockedAt = Date.parse(owner.startedAt)
  // Clock ticks make the start time coarse (10 ms); 2 s covers that and clock steps.
  return started === null || Number.isNaN(lockedAt) || started <= lockedAt + 2000
}

/** When a process started, in epoch ms, from /proc (Linux); null where /proc cannot tell. */
async function processStartMs(pid: number): Promise<number | null> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8')
    // Field 22 (starttime, in clock ticks since boot) counts from after the `(comm)` field,
    // which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[19])
    const bootTime = /^btime (\d+)$/m.exec(await fs.readFile('/proc/stat', 'utf8'))?.[1]
    // USER_HZ is 100 on every Linux architecture Node runs on.
    if (!bootTime || !Number.isFinite(ticks)) return null
    return Number(bootTime) * 1000 + ticks * 10
  } catch {
    return null
  }
}

async function releaseIfMine(file: string, text: string): Promise<void> {
  const held = await fs.readFile(file, 'utf8').catch(() => null)
  if (held === text) await fs.rm(file, { force: true })
}
