import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import pg from 'pg'
import { migrate, openPglite, openPostgres } from '../src/store/index.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** PostgreSQL run: the migrated template database each test file copies. */
    templateDatabase: string | null
    /** PGlite run: a migrated data dir archive each test file loads. */
    pgliteArchive: string | null
  }
}

/**
 * Migrates once per run: a template database on PostgreSQL, a data-dir archive on PGlite.
 * A PostgreSQL run that cannot connect fails here, loudly, instead of skipping.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.DATABASE_URL
  if (url) {
    const template = `switchyard_tpl_${process.pid}`
    const admin = new pg.Client({ connectionString: url })
    try {
      await admin.connect()
    } catch (error) {
      throw new Error(`DATABASE_URL is set but PostgreSQL is not reachable at ${url}`, {
        cause: error,
      })
    }
    await admin.query(`drop database if exists ${template} with (force)`)
    await admin.query(`create database ${template}`)
    const db = await openPostgres(withDatabase(url, template))
    await migrate(db)
    await db.close()
    project.provide('templateDatabase', template)
    project.provide('pgliteArchive', null)
    return async () => {
      await admin.query(`drop database if exists ${template} with (force)`)
      await admin.end()
    }
  }
  const db = await openPglite()
  await migrate(db)
  const archive = await db.dumpDataDir!()
  await db.close()
  const file = path.join(
    await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-test-')),
    'migrated.tar.gz',
  )
  await fs.writeFile(file, Buffer.from(await archive.arrayBuffer()))
  project.provide('templateDatabase', null)
  project.provide('pgliteArchive', file)
  return async () => {
    await fs.rm(path.dirname(file), { recursive: true, force: true })
  }
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}
