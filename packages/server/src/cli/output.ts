import { stripVTControlCharacters, styleText } from 'node:util'

type Style = Parameters<typeof styleText>[0]

/**
 * Colours `text` when stdout is a terminal that wants colour (NO_COLOR, FORCE_COLOR and pipes
 * are honoured by `styleText` itself).
 * @example print(paint('green', 'delivered'))
 */
export function paint(style: Style, text: string): string {
  return styleText(style, text, { stream: process.stdout })
}

/** One line on stdout: results, one per event or row. */
export function print(line = ''): void {
  process.stdout.write(line + '\n')
}

/** One line on stderr: status and progress, kept out of piped output. */
export function note(line: string): void {
  process.stderr.write(line + '\n')
}

/** `--json` output: the value, pretty-printed, on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}

/** One JSON value per line (`--json` on streaming commands), for `jq` and line readers. */
export function printJsonLine(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n')
}

/**
 * Prints rows under a header, columns padded to their widest cell.
 * @example printTable(['ID', 'STATUS'], [['0192…', 'failed']])
 */
export function printTable(header: string[], rows: string[][]): void {
  // Widths and padding count what shows, not the colour codes around it.
  const width = (cell: string) => stripVTControlCharacters(cell).length
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => width(r[i] ?? ''))))
  const format = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - width(cell)),
      )
      .join('  ')
      .trimEnd()
  print(paint('bold', format(header)))
  for (const row of rows) print(format(row))
}

/** Prints `label  value` pairs with the labels aligned. */
export function printFields(fields: [string, string][]): void {
  const width = Math.max(...fields.map(([label]) => label.length))
  for (const [label, value] of fields) print(`${label.padEnd(width)}  ${value}`)
}

/** `2025-01-31 14:05:09`, local time; '-' for none. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '-'
  const d = new Date(iso)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(d)}`
}

/** `14:05:09`, local time. */
export function clock(date: Date = new Date()): string {
  return date.toTimeString().slice(0, 8)
}

/** `12,345` */
export function count(n: number): string {
  return n.toLocaleString('en-US')
}

/** Colours an HTTP status or outcome: green for 2xx/delivered, red otherwise. */
export function statusColour(ok: boolean, text: string): string {
  return paint(ok ? 'green' : 'red', text)
}
