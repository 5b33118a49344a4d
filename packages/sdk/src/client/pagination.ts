import type { ListResponse } from './operation-types.ts'

/**
 * Walks every page of a list, yielding items one at a time; stop early with `break`.
 *
 * @example
 * for await (const event of paginate((cursor) => client.events.list({ cursor }))) {
 *   console.log(event.id)
 * }
 */
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<ListResponse<T>>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined
  do {
    const page = await fetchPage(cursor)
    yield* page.data
    cursor = page.nextCursor ?? undefined
  } while (cursor)
}
