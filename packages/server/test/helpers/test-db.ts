import fs from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import { openPglite, openPostgres, type Db } from '../../src/store/index.ts'
import { withDatabase } from '../global-setup.ts'

/**
 * A fresh migrated database for one test file: a copy of the template database on PostgreSQL,
 * or a PGlite loaded from the migrated archive. `close()` drops it.
 */
export async function createTestDb(): Promise<Db & { url: string | null }> {
  const template = inject('templateDatabase')
  const url = process.env.DATABASE_URL
  if (template && url) {
    const name = `switchyard_t_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`create database ${name} template ${template}`)
    await admin.end()
    const dbUrl = withDatabase(url, name)
    const db = await openPostgres(dbUrl)
    return {
      ...db,
      url: dbUrl,
      close: async () => {
        await db.close()
        const dropper = new pg.Client({ connectionString: url })
        await dropper.connect()
        await dropper.query(`drop database if exists ${name} with (force)`)
        await dropper.end()
      },
    }
  }
  const archive = inject('pgliteArchive')
  const blob = archive ? new Blob([await fs.readFile(archive)]) : undefined
  const db = await openPglite(undefined, blob)
  return { ...db, url: null }
}
