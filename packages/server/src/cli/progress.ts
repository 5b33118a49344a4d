import { count } from './output.ts'

/** Reports how far a long operation is, on stderr. */
export interface Progress {
  update(done: number): void
  /** The final state; the bar's line is ended. */
  finish(done: number): void
}

const barWidth = 30
// Without a terminal, a line every this often: enough for a log, not a flood.
const lineEveryMs = 1000

/**
 * A bar redrawn in place on a terminal (`[█████░░░]  5,123/10,000  51%  ETA 4 s`), or a line
 * every second when stderr is a pipe or a file, so logs show progress without control codes.
 * @example const progress = createProgress('replay', 10_000); progress.update(5123)
 */
export function createProgress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const started = Date.now()
  let lastLine = 0
  const describe = (done: number) => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100)
    const rate = done / Math.max((Date.now() - started) / 1000, 0.001)
    const eta = done > 0 && done < total ? `  ETA ${Math.ceil((total - done) / rate)} s` : ''
    return `${count(done)}/${count(total)}  ${pct}%${eta}`
  }
  const bar = (done: number) => {
    const filled = total === 0 ? barWidth : Math.round((done / total) * barWidth)
    return `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]`
  }
  if (stream.isTTY) {
    const draw = (done: number) => stream.write(`\r${label}  ${bar(done)}  ${describe(done)}\x1b[K`)
    return {
      update: draw,
      finish: (done) => {
        draw(done)
        stream.write('\n')
      },
    }
  }
  const line = (done: number) => {
    lastLine = Date.now()
    stream.write(`${label}: ${describe(done)}\n`)
  }
  line(0)
  return {
    update: (done) => {
      if (Date.now() - lastLine >= lineEveryMs) line(done)
    },
    finish: line,
  }
}
