import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import { renderWireFormat, type CatalogEvent } from '../../src/catalog/index.ts'
import type { TestServer } from '../helpers/server.ts'

/** The seed's Managed Sync examples use this user, credential and integration. */
export const seedUser = 'user_01JH448D13EX2BE1SC1GXVT05R'
export const seedCredential = '0aea7d3a-b5f7-4488-890e-d51a5cf4f8f1'

/** A googledrive `files` sync as the seed's examples describe it. */
export const driveSync = {
  integration: 'googledrive',
  pipeline: 'files',
  userId: seedUser,
  credentialId: seedCredential,
}

type Api = TestServer['api']

/** Calls the API and fails the test unless the status is `status`; returns the body. */
export async function call<T = any>(
  api: Api,
  expected: number,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<T> {
  const res = await api<T>(method, path, { key, ...(body === undefined ? {} : { body }) })
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(expected)
  return res.body
}

/** Creates a sync and returns its id. */
export async function createSync(api: Api, key: string, body: object = driveSync): Promise<string> {
  return (await call(api, 201, 'POST', '/v1/syncs', key, body)).id
}

/** Starts a run and returns its id. */
export async function startRun(
  api: Api,
  key: string,
  syncId: string,
  type: string,
): Promise<string> {
  return (await call(api, 201, 'POST', `/v1/syncs/${syncId}/runs`, key, { type })).id
}

export interface PageBody {
  records?: {
    externalId: string
    data: object
    name?: string
    mimeType?: string
    content?: string
  }[]
  errors?: { externalId?: string; code?: string; message: string }[]
}

export async function pushPage(
  api: Api,
  key: string,
  syncId: string,
  runId: string,
  page: PageBody,
): Promise<{
  created: number
  updated: number
  unchanged: number
  errored: number
  replayed: boolean
}> {
  return call(api, 200, 'POST', `/v1/syncs/${syncId}/runs/${runId}/records`, key, page)
}

export async function completeRun(
  api: Api,
  key: string,
  syncId: string,
  runId: string,
  cursor?: string,
) {
  const body = cursor === undefined ? {} : { cursor }
  return call(api, 200, 'POST', `/v1/syncs/${syncId}/runs/${runId}/complete`, key, body)
}

/** One run of `type` with the given pages, completed. */
export async function runWith(
  api: Api,
  key: string,
  syncId: string,
  type: string,
  ...pages: PageBody[]
): Promise<void> {
  const runId = await startRun(api, key, syncId, type)
  for (const page of pages) await pushPage(api, key, syncId, runId, page)
  await completeRun(api, key, syncId, runId)
}

/** Files records `f1`…`fn` with a title per id. */
export function files(...ids: string[]): NonNullable<PageBody['records']> {
  return ids.map((id) => ({ externalId: id, data: { title: `File ${id}` } }))
}

export interface EventView {
  id: string
  type: string
  userId: string | null
  credentialId: string | null
  integration: string | null
  occurredAt: string
  data: Record<string, any>
}

/** The project's events of these types concerning one sync, oldest first. */
export async function syncEvents(
  api: Api,
  key: string,
  syncId: string,
  ...types: string[]
): Promise<EventView[]> {
  const query = types.map((t) => `&type=${t}`).join('')
  const events: EventView[] = []
  let cursor: string | null = ''
  while (cursor !== null) {
    const path: string = `/v1/events?limit=500${query}${cursor ? `&cursor=${cursor}` : ''}`
    const page = await call<{ data: EventView[]; nextCursor: string | null }>(
      api,
      200,
      'GET',
      path,
      key,
    )
    events.push(...page.data.filter((e) => e.data.syncId === syncId))
    cursor = page.nextCursor
  }
  return events.reverse()
}

/** Renders a stored event as a managed-sync webhook body, as a destination would receive it. */
export function renderManagedSync(event: EventView): Record<string, unknown> {
  const catalogEvent: CatalogEvent = {
    id: event.id,
    type: event.type as CatalogEvent['type'],
    occurredAt: new Date(event.occurredAt),
    data: event.data,
    project: { id: 'p', name: 'Test project' },
    userId: event.userId,
    credentialId: event.credentialId,
    integration: { type: event.integration },
  }
  return renderWireFormat('managed-sync', catalogEvent, { publicUrl: 'http://localhost' }) as never
}

/** A seed example (test/fixtures/seeds) as parsed JSON. */
export function seedExample(fixture: string): Record<string, any> {
  const url = new URL(`../fixtures/seeds/${fixture}`, import.meta.url)
  return JSON.parse(readFileSync(url, 'utf8'))
}

/**
 * Asserts the rendered body is the seed example with only the run's own values (ids, times,
 * counts) put in: same keys, same order, same envelope.
 */
export function expectSeedShape(
  body: Record<string, unknown>,
  fixture: string,
  own: { syncInstanceId: string; part: Record<string, unknown> },
): void {
  const seed = seedExample(fixture)
  const partKey = 'data' in seed ? 'data' : 'error'
  const expected = {
    ...seed,
    syncInstanceId: own.syncInstanceId,
    [partKey]: { ...seed[partKey], ...own.part },
  }
  expect(JSON.stringify(body)).toBe(JSON.stringify(expected))
}
