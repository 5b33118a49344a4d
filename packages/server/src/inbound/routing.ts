import type { Queryable } from '../store/index.ts'
import { findCredential, findCredentialsByAccount, type CredentialRow } from '../users/index.ts'
import { payloadOf } from './request-view.ts'
import { storableString } from './storable-json.ts'
import type { InboundRequestRow } from './store.ts'
import type { RequestView, RoutingConfig, RoutingSource, TriggerRow } from './types.ts'
import { jsonPathItems, jsonPathValues } from './values.ts'

/** One event to emit: the credential it is for (null: an app-level trigger without routing). */
export interface RouteTarget {
  credential: CredentialRow | null
  payload: unknown
  /** The payload is the whole body (false: an item of a split payload). */
  whole: boolean
}

/**
 * Whom an accepted request is for. User-level: the credential in `?id=` (already checked by
 * verification). App-level: every credential of the integration whose providerAccountId is the
 * value routing reads, per item when the payload is split. No routing: one event for the app.
 * @returns no targets when nothing matches (the request is `unrouted`)
 */
export async function routeRequest(
  q: Queryable,
  trigger: TriggerRow,
  row: InboundRequestRow,
  view: RequestView,
): Promise<RouteTarget[]> {
  const payload = payloadOf(view)
  if (trigger.level === 'user') {
    const credential = row.credential_id
      ? await findCredential(q, trigger.project_id, row.credential_id)
      : null
    return credential ? [{ credential, payload, whole: true }] : []
  }
  const routing = trigger.routing
  if (!routing) return [{ credential: null, payload, whole: true }]
  const whole = !routing.split
  const items = routing.split ? jsonPathItems(routing.split, payload) : [payload]
  const targets: RouteTarget[] = []
  for (const item of items) {
    const accounts = accountIds(routing, view, item)
    const matches = await findCredentialsByAccount(
      q,
      trigger.project_id,
      trigger.integration,
      accounts,
    )
    for (const credential of matches) targets.push({ credential, payload: item, whole })
  }
  return targets
}

/**
 * The first source (then each fallback in order) that yields a value names the tenant. A value
 * the store cannot hold (U+0000) is no account id, and would fail the lookup's statement.
 */
function accountIds(routing: RoutingConfig, view: RequestView, item: unknown): string[] {
  for (const source of [routing, ...(routing.fallbacks ?? [])]) {
    const values = readSource(source, view, item).filter(storableString)
    if (values.length > 0) return [...new Set(values)]
  }
  return []
}

function readSource(source: RoutingSource, view: RequestView, item: unknown): string[] {
  switch (source.from) {
    case 'body':
      return jsonPathValues(source.path, item)
    case 'header':
      return jsonPathValues(source.path, view.headers)
    case 'query':
      return jsonPathValues(source.path, view.query)
  }
}
