import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'

/*
 * Every process a test spawns goes through `spawnTracked`, so none outlives its test file: a
 * timed-out `switchyard start` test once left the engine listening after its data dir was
 * deleted. `test/helpers/kill-spawned.ts` (a vitest setup file) kills what is left after each
 * file; this module kills it when the worker exits or is told to stop.
 */
const live = new Set<ChildProcess>()

/**
 * `spawn`, remembered until the child exits. The child leads its own process group, so killing
 * it also kills what it started (the chaos suite's workers).
 * @example const child = spawnTracked(process.execPath, [bin, 'start'], { stdio: 'pipe' })
 */
export function spawnTracked(command: string, args: string[], options: SpawnOptions): ChildProcess {
  return track(spawn(command, args, { ...options, detached: true }))
}

/**
 * Remembers a child another helper spawned (`execFile`, a spawn that must stay in this process
 * group), so it is killed with the rest.
 * @example const child = track(execFile(process.execPath, [script], done))
 */
export function track<T extends ChildProcess>(child: T): T {
  live.add(child)
  child.once('exit', () => live.delete(child))
  child.once('error', () => live.delete(child))
  return child
}

/**
 * SIGKILLs every tracked process still running, with its process group when it leads one;
 * synchronous, so `exit` handlers can call it.
 */
export function killSpawned(): void {
  for (const child of live) {
    if (child.pid === undefined) continue
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Not a group leader (spawned without `detached`), or already gone.
      try {
        process.kill(child.pid, 'SIGKILL')
      } catch {
        // Already gone (ESRCH): it exited between the check and the kill.
      }
    }
  }
  live.clear()
}

/** How many tracked processes are still running (tests of this helper read it). */
export function spawnedCount(): number {
  return live.size
}

// The worker process itself ending: normally (`exit`), or stopped by vitest (SIGTERM) or a
// Ctrl-C (SIGINT, SIGHUP). The signal is raised again once the children are gone, so the
// worker still ends the way it was told to.
process.once('exit', killSpawned)
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
  process.once(signal, () => {
    killSpawned()
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  })
