import type { paths } from '../generated/api.ts'

/**
 * Type helpers that read request and response shapes out of the generated `paths`. A route the
 * server does not document yet falls back to a loose shape, and tightens by itself once the
 * server documents it and `npm run generate` runs.
 */

/** Any JSON object. */
export type JsonObject = { [key: string]: unknown }

/** One page of a list: `GET /v1/…?limit&cursor` → `{ data, nextCursor }`. */
export interface ListResponse<T> {
  data: T[]
  /** Pass as `cursor` to read the next page; null on the last page. */
  nextCursor: string | null
}

/** The HTTP methods the API uses. */
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

type OperationOf<P extends string, M extends Method> = P extends keyof paths
  ? M extends keyof paths[P]
    ? NonNullable<paths[P][M]>
    : never
  : never

type JsonContent<T> = T extends { content: { 'application/json': infer Body } } ? Body : never

type OrFallback<T, Fallback> = [T] extends [never] ? Fallback : T

/**
 * The JSON request body of an operation.
 *
 * @example type EventIn = RequestBodyOf<'/v1/events', 'post'>
 */
export type RequestBodyOf<P extends string, M extends Method, Fallback = JsonObject> = OrFallback<
  OperationOf<P, M> extends { requestBody?: infer Body } ? JsonContent<NonNullable<Body>> : never,
  Fallback
>

/**
 * The JSON body of an operation's success response (200, 201 or 202).
 *
 * @example type EventOut = ResponseOf<'/v1/events/{id}', 'get'>
 */
export type ResponseOf<P extends string, M extends Method, Fallback = JsonObject> = OrFallback<
  OperationOf<P, M> extends { responses: infer Responses }
    ? JsonContent<Responses[keyof Responses & (200 | 201 | 202)]>
    : never,
  Fallback
>

/**
 * The query parameters of an operation.
 *
 * @example type EventListOptions = QueryOf<'/v1/events', 'get'>
 */
export type QueryOf<P extends string, M extends Method, Fallback = ListOptions> = OrFallback<
  OperationOf<P, M> extends { parameters: { query?: infer Query } } ? NonNullable<Query> : never,
  Fallback
>

/** The paging parameters every list takes. */
export interface ListOptions {
  limit?: number
  cursor?: string
  [name: string]: QueryValue
}

/** What a query parameter may be; arrays repeat the parameter (`type=a&type=b`). */
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined
