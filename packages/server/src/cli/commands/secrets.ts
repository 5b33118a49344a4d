import { InvalidArgumentError, type Command } from 'commander'
import type { Config } from '../../config.ts'
import type { TableRotation } from '../../secrets/index.ts'
import { count, note, print, printJson, printTable } from '../output.ts'
import { createProgress } from '../progress.ts'

interface RotateKeyOptions {
  dataDir?: string
  batchSize: number
  json?: boolean
}

/**
 * `switchyard secrets rotate-key`: seals every stored secret again with SWITCHYARD_SECRET_KEY,
 * opening them with it or SWITCHYARD_PREVIOUS_SECRET_KEYS. Talks to the database, not the API.
 */
export function registerSecrets(
  program: Command,
  configFrom: (options: { dataDir?: string }) => Readonly<Config>,
): void {
  const secrets = program
    .command('secrets')
    .description('Manage the secrets kept encrypted at rest')
  secrets
    .command('rotate-key')
    .description('Seal every stored secret again with the current SWITCHYARD_SECRET_KEY')
    .option('-d, --data-dir <dir>', 'embedded store directory (SWITCHYARD_DATA_DIR)')
    .option('--batch-size <rows>', 'rows per transaction', toPositive, 500)
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Runs against the database (DATABASE_URL, or the embedded store), applying pending migrations
first. Secrets open with SWITCHYARD_SECRET_KEY or any of SWITCHYARD_PREVIOUS_SECRET_KEYS
(comma-separated) and are sealed with SWITCHYARD_SECRET_KEY. Re-running is safe: what the current
key sealed already is left alone. Progress goes to stderr, the summary to stdout.

Example:
  $ SWITCHYARD_SECRET_KEY="$NEW" SWITCHYARD_PREVIOUS_SECRET_KEYS="$OLD" switchyard secrets rotate-key`,
    )
    .action(async (options: RotateKeyOptions) => {
      const { rotateKeyOfConfig } = await import('../rotate-key.ts')
      const summary = await rotateKeyOfConfig(configFrom(options), {
        batchSize: options.batchSize,
        progress: (table, total) => createProgress(table, total),
      })
      if (options.json) printJson(summary)
      else printSummary(summary)
    })
}

function printSummary(summary: readonly TableRotation[]): void {
  printTable(
    ['TABLE', 'ROWS', 'RESEALED', 'CURRENT', 'SEALED'],
    summary.map((t) => [
      t.table,
      count(t.rows),
      count(t.resealed),
      count(t.current),
      count(t.sealed),
    ]),
  )
  const changed = summary.reduce((n, t) => n + t.resealed + t.sealed, 0)
  print()
  note(
    changed === 0
      ? 'Every secret was sealed with the current key already.'
      : `${count(changed)} values sealed with the current key; previous keys are no longer needed.`,
  )
}

function toPositive(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer')
  return n
}
