/**
 * What a thread tells the main thread through shared memory: the id of the job it started and
 * when (its wall clock), and the id of the job it finished. The main thread's timer alone could
 * not tell: a main thread held for 300 ms by a long synchronous task (an embedded-store query, a
 * GC) ran its deadline timer before the already-delivered answer, and failed a 1 ms job as
 * "past its time limit" (issue 26).
 * @example const progress = progressOf(new SharedArrayBuffer(16)) // 16 bytes: two ids, one time
 */
export function progressOf(shared: SharedArrayBuffer) {
  const ids = new Int32Array(shared, 0, 2)
  const startedAt = new Float64Array(shared, 8, 1)
  return {
    start(id: number): void {
      startedAt[0] = Date.now()
      Atomics.store(ids, 0, id)
    },
    finish(id: number): void {
      Atomics.store(ids, 1, id)
    },
    started: (id: number) => Atomics.load(ids, 0) === id,
    finished: (id: number) => Atomics.load(ids, 1) === id,
    startedAt: () => startedAt[0]!,
  }
}
