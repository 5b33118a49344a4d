import { apiError } from '../errors.ts'
import { isUuid } from '../ids.ts'

/** Query-string schema shared by every list route. */
export const pageQuerySchema = {
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50, description: 'Items per page.' },
  cursor: { type: 'string', maxLength: 200, description: 'The `nextCursor` of the previous page.' },
} as const

/** Lists are ordered by UUIDv7 id, newest first; the cursor is the last id seen, base64url-wrapped. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId).toString('base64url')
}

/** @returns the id to continue below, or null for the first page */
export function decodeCursor(cursor: string | undefined): string | null {
  if (!cursor) return null
  const id = Buffer.from(cursor, 'base64url').toString()
  if (!isUuid(id)) throw apiError('invalid_cursor')
  return id
}

/** Builds `{data, nextCursor}` from a page fetched with `limit + 1` rows. */
export function toPage<T extends { id: string }>(
  rows: T[],
  limit: number,
): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit)
  const last = data.at(-1)
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null }
}

/** The JSON Schema of a page of `item`. */
export function pageSchema<const Item extends object>(item: Item) {
  return {
    type: 'object',
    required: ['data', 'nextCursor'],
    properties: { data: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
  } as const
}
