import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allowance } from '../../src/delivery/claim-reach.ts'
import { claimAllowance } from '../../src/delivery/store.ts'
import { query, type Db } from '../../src/store/index.ts'
import { createTestDb } from '../helpers/test-db.ts'

/*
 * claimDue limits each destination's probe with a formula in SQL (store.ts claimAllowance);
 * claimReach judges what a claim left due with the same formula in TypeScript (claim-reach.ts
 * allowance). A drift between them starves a saturated destination until the poll, or claims
 * after every send: this compares them over every combination of the inputs below.
 */

let db: Db
beforeAll(async () => {
  db = await createTestDb()
})
afterAll(() => db.close())

interface Case {
  max_concurrency: number
  concurrency_limit: number | null
  rate_limit_per_second: number | null
  /** null: the destination has no sends in this process (no load entry). */
  load: { inFlight: number; tokens: number | null; limit: number | null } | null
  /** null: its project has no sends in this process (no share entry). */
  room: number | null
}

function cases(): Case[] {
  const loads: Case['load'][] = [null]
  for (const inFlight of [0, 1, 4, 25])
    for (const tokens of [null, 0, 2, 100])
      for (const limit of [null, 1, 5, 50]) loads.push({ inFlight, tokens, limit })
  const all: Case[] = []
  for (const max_concurrency of [1, 10, 20])
    for (const concurrency_limit of [null, 3, 30])
      for (const rate_limit_per_second of [null, 1, 50])
        for (const load of loads)
          for (const room of [null, -1, 0, 3, 40])
            all.push({ max_concurrency, concurrency_limit, rate_limit_per_second, load, room })
  return all
}

describe('the claim allowance', () => {
  it.each([1, 3])(
    'is the same in SQL and in TypeScript for every combination of limits and load, %i deep',
    async (depth) => {
      const table = cases()
      const rows = table.map((c, i) => ({
        i,
        max_concurrency: c.max_concurrency,
        concurrency_limit: c.concurrency_limit,
        rate_limit_per_second: c.rate_limit_per_second,
        in_flight: c.load?.inFlight ?? null,
        tokens: c.load?.tokens ?? null,
        cap: c.load?.limit ?? null,
        room: c.room,
      }))
      const fromSql = await query<{ i: number; n: number }>(
        db.kysely,
        sql`select dst.i, ${claimAllowance(depth)} as n
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as dst(i int,
            max_concurrency int, concurrency_limit int, rate_limit_per_second int, in_flight int,
            tokens int, cap int, room int)
          order by dst.i`,
      )
      const fromTs = table.map((c) =>
        allowance(
          {
            project_id: 'p',
            max_concurrency: c.max_concurrency,
            concurrency_limit: c.concurrency_limit,
            rate_limit_per_second: c.rate_limit_per_second,
          },
          c.load ? { destinationId: 'd', ...c.load } : undefined,
          new Map(c.room === null ? [] : [['p', c.room]]),
          depth,
        ),
      )
      expect(fromSql).toHaveLength(table.length)
      const differ = table.flatMap((c, i) =>
        Number(fromSql[i]!.n) === fromTs[i] ? [] : [{ ...c, sql: fromSql[i]!.n, ts: fromTs[i] }],
      )
      expect(differ).toEqual([])
    },
  )
})
