import { styleText } from 'node:util'
import { pino, type DestinationStream, type Logger } from 'pino'
import type { LogFormat } from './config.ts'

/**
 * The engine's logger: JSON lines for log collectors, or one human line per entry on a
 * terminal (`SWITCHYARD_LOG_FORMAT=auto`, the default, picks by whether stdout is a TTY).
 * A small formatter instead of pino-pretty: it runs in the process, needs no worker thread,
 * and the entries are few and flat (a message, ids, an error).
 * @example const log = createLogger({ logLevel: 'info', logFormat: 'auto' })
 */
export function createLogger(
  options: { logLevel: string; logFormat: LogFormat },
  stdout: NodeJS.WriteStream = process.stdout,
): Logger {
  const pretty = options.logFormat === 'pretty' || (options.logFormat === 'auto' && stdout.isTTY)
  const level = options.logLevel
  if (pretty) return pino({ level }, prettyStream(stdout))
  // pino's own destination for the real stdout: it writes to fd 1 without a stream's buffering.
  return stdout === process.stdout ? pino({ level }) : pino({ level }, stdout)
}

type Style = Parameters<typeof styleText>[0]

const levels: Record<number, [name: string, style: Style]> = {
  10: ['TRACE', 'gray'],
  20: ['DEBUG', 'cyan'],
  30: ['INFO ', 'green'],
  40: ['WARN ', 'yellow'],
  50: ['ERROR', 'red'],
  60: ['FATAL', 'magenta'],
}

// Fields every entry has, or that the line shows already.
const shown = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err'])

const requestFields = new Set(['method', 'url', 'status', 'durationMs'])

function requestMessage(entry: Record<string, unknown>): string | null {
  const { method, url, status, durationMs } = entry
  if (typeof durationMs !== 'number') return null
  return `${String(method)} ${String(url)} ${String(status)} ${Math.round(durationMs)} ms`
}

/**
 * `12:04:31.207 INFO  POST /v1/events 202 3 ms  reqId=0199…`: time, level, message, then the
 * other fields as key=value; an error's stack follows on indented lines.
 */
function prettyStream(out: NodeJS.WriteStream): DestinationStream {
  // Colour only on a terminal that wants it: styleText honours NO_COLOR and FORCE_COLOR.
  const paint = (style: Style, text: string) => styleText(style, text, { stream: out })
  return {
    write(line: string) {
      let entry: Record<string, unknown>
      try {
        entry = JSON.parse(line) as Record<string, unknown>
      } catch {
        out.write(line)
        return
      }
      const [name, style] = levels[entry.level as number] ?? ['LOG  ', 'reset']
      const time = clockTime(new Date(entry.time as number))
      // A request's line (http/request-log.ts) says its method, URL, status and time already.
      const hidden = entry.msg === requestMessage(entry) ? requestFields : shown
      const fields = Object.entries(entry)
        .filter(([key]) => !shown.has(key) && !hidden.has(key))
        .map(
          ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
        )
      const err = entry.err as { message?: string; stack?: string } | undefined
      const message = [entry.msg, err?.message].filter(Boolean).join(': ')
      let text = `${paint('gray', time)} ${paint(style, name)} ${message}`
      if (fields.length > 0) text += paint('gray', `  ${fields.join(' ')}`)
      // The stack's first line repeats the message the line shows.
      const frames = err?.stack?.split('\n').slice(1).join('\n')
      if (frames) text += '\n' + frames.replace(/^\s*/gm, '    ')
      out.write(text + '\n')
    },
  }
}

/** Local wall-clock time with milliseconds: `12:04:31.207`. */
function clockTime(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
}
