import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import type { Db, Queryable } from './db.ts'

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')

// Any constant works; it only has to be the same for every Switchyard process.
const migrationLockKey = 7_312_001

export interface Migration {
  id: number
  name: string
  script: string
}

/** Reads `migrations/NNNN_name.sql` in order. */
export async function readMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort()
  return Promise.all(
    files.map(async (file) => ({
      id: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      script: await fs.readFile(path.join(dir, file), 'utf8'),
    })),
  )
}

/**
 * Applies pending migrations, each in its own transaction under an advisory lock so concurrent
 * starters wait for each other. Refuses a schema newer than this code.
 * @returns the ids applied by this call
 */
export async function migrate(db: Db, migrations?: Migration[]): Promise<number[]> {
  const all = migrations ?? (await readMigrations())
  await db.exec(`create table if not exists migrations (
    id int primary key, name text not null, applied_at timestamptz not null default now())`)
  const latestKnown = all.at(-1)?.id ?? 0
  const applied: number[] = []
  for (const migration of all) {
    const done = await db.kysely.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(${migrationLockKey})`.execute(tx)
      const current = await schemaVersion(tx)
      if (current > latestKnown) throw schemaTooNew(current, latestKnown)
      if (current >= migration.id) return false
      await sql`insert into migrations (id, name) values (${migration.id}, ${migration.name})`.execute(
        tx,
      )
      // Statements run one by one: the extended protocol (PGlite's query) takes one at a time.
      for (const statement of splitStatements(migration.script))
        await sql.raw(statement).execute(tx)
      return true
    })
    if (done) applied.push(migration.id)
  }
  const current = await schemaVersion(db.kysely)
  if (current > latestKnown) throw schemaTooNew(current, latestKnown)
  return applied
}

/** @returns the highest applied migration id, 0 on an empty store */
export async function schemaVersion(q: Queryable): Promise<number> {
  const { rows } = await sql<{
    v: number | null
  }>`select max(id)::int as v from migrations`.execute(q)
  return rows[0]?.v ?? 0
}

function schemaTooNew(current: number, latestKnown: number): Error {
  const pad = (n: number) => String(n).padStart(4, '0')
  return new Error(
    `Database schema is at ${pad(current)} but this Switchyard understands up to ${pad(latestKnown)}; ` +
      'upgrade Switchyard before starting it against this database.',
  )
}

/**
 * Splits a migration into statements on top-level semicolons and drops line and block comments.
 * A semicolon inside a quoted string ('…'), a quoted identifier ("…") or a dollar-quoted body
 * ($$ … $$, $fn$ … $fn$: function bodies such as 0002's `uuid_v7_at`) does not split, and `--`
 * there is not a comment.
 * @example splitStatements("create table a (x int); -- note\ninsert into a values (1);") // 2 statements
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = []
  let current = ''
  for (let i = 0; i < script.length;) {
    const end = tokenEnd(script, i)
    const token = script.slice(i, end)
    if (token === ';') {
      statements.push(current)
      current = ''
    } else if (!token.startsWith('--') && !token.startsWith('/*')) current += token
    i = end
  }
  statements.push(current)
  return statements.map((s) => s.trim()).filter((s) => s.length > 0)
}

// Where the token at `i` ends: a comment, a quoted string or identifier, a dollar-quoted body,
// or one character. An unterminated one runs to the end of the script (PostgreSQL rejects it).
function tokenEnd(script: string, i: number): number {
  const until = (close: string, from: number) => {
    const at = script.indexOf(close, from)
    return at === -1 ? script.length : at + close.length
  }
  if (script.startsWith('--', i)) return until('\n', i + 2)
  if (script.startsWith('/*', i)) return until('*/', i + 2)
  const c = script[i]
  if (c === "'" || c === '"') return until(c, i + 1)
  if (c === '$') {
    const tag = /^\$[A-Za-z_]*\$/.exec(script.slice(i, i + 64))?.[0]
    if (tag) return until(tag, i + tag.length)
  }
  return i + 1
}
