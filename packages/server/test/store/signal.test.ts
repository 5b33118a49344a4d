import { describe, expect, it } from 'vitest'
import { openPglite, sql } from '../../src/store/index.ts'

describe('signals on the embedded store', () => {
  it('reach listeners at the end of the turn, each distinct notice once', async () => {
    const db = await openPglite()
    try {
      const heard: string[] = []
      const unlisten = await db.listen('sy_test', (payload) => heard.push(payload))
      db.signal('sy_test', 'a')
      db.signal('sy_test', 'b')
      db.signal('sy_test', 'a')
      db.signal('sy_other', 'c')
      expect(heard).toEqual([])
      await new Promise((resolve) => setImmediate(resolve))
      expect(heard).toEqual(['a', 'b'])
      // A NOTIFY sent in SQL still arrives.
      await sql`select pg_notify('sy_test', 'from sql')`.execute(db.kysely)
      await expect.poll(() => heard).toContain('from sql')
      await unlisten()
      db.signal('sy_test', 'after')
      await new Promise((resolve) => setImmediate(resolve))
      expect(heard).not.toContain('after')
    } finally {
      await db.close()
    }
  })
})
