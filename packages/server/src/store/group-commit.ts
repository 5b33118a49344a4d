/**
 * Group commit: folds concurrent single-row writes into one multi-row statement.
 *
 * Calls made in one turn of the event loop go out together at its end (`setImmediate`); calls
 * that arrive while a batch is being written queue and go out together as the next batch (up
 * to `maxBatch`, `maxInFlight` batches at a time). An idle system pays one turn of latency, a
 * busy one pays one statement per batch instead of one per row: on the bench machine the
 * per-statement cost (syscalls, a WAL flush per commit) dominates small inserts.
 * The end of the turn matters for PGlite: its queries run on this thread and resolve in
 * microtasks, so a write started at once finishes before the next request is even read, and
 * no call would ever find another waiting (bench/inbound on PGlite: every batch held one row,
 * ~150 requests/s).
 *
 * A batch that fails is retried row by row, so one bad row fails only its own caller.
 * @example const insertOne = groupCommit((rows) => insertMany(db, rows)); await insertOne(row)
 */
export function groupCommit<In, Out>(
  writeBatch: (items: In[]) => Promise<Out[]>,
  options: { maxBatch?: number; maxInFlight?: number } = {},
): (item: In) => Promise<Out> {
  const maxBatch = options.maxBatch ?? 500
  const maxInFlight = options.maxInFlight ?? 2
  let queue: { item: In; resolve: (out: Out) => void; reject: (error: unknown) => void }[] = []
  let inFlight = 0
  let scheduled = false

  const writeAlone = async (entry: (typeof queue)[number]): Promise<void> => {
    try {
      const [out] = await writeBatch([entry.item])
      entry.resolve(out as Out)
    } catch (error) {
      entry.reject(error)
    }
  }

  const pump = (): void => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.slice(0, maxBatch)
      queue = queue.slice(batch.length)
      inFlight += 1
      void writeBatch(batch.map((e) => e.item))
        .then(
          (outs) => batch.forEach((e, i) => e.resolve(outs[i] as Out)),
          (error: unknown) =>
            batch.length === 1
              ? batch[0]!.reject(error)
              : Promise.all(batch.map(writeAlone)).then(() => undefined),
        )
        .finally(() => {
          inFlight -= 1
          schedule()
        })
    }
  }

  const schedule = (): void => {
    if (scheduled || queue.length === 0) return
    scheduled = true
    setImmediate(() => {
      scheduled = false
      pump()
    })
  }

  return (item) =>
    new Promise<Out>((resolve, reject) => {
      queue.push({ item, resolve, reject })
      schedule()
    })
}
