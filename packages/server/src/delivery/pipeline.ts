import { signingSecrets } from '../destinations/index.ts'
import { findEventsByIds, type EventRow } from '../events/index.ts'
import { deliverySettingsOf, findProject, type ProjectRow } from '../projects/index.ts'
import type { Queryable } from '../store/index.ts'
import { findCredential, findUser, type CredentialRow, type UserRow } from '../users/index.ts'
import type { ClaimChecks } from './claim-store.ts'
import type { Finished } from './complete-batch.ts'
import { prepareAttempt, type AttemptTarget, type PreparedAttempt } from './attempt.ts'
import { nextState } from './outcome.ts'
import { catalogEventOf } from './render.ts'
import type { RetryOptions } from './retry-schedule.ts'
import type { Sender } from './send.ts'
import type { Mailer } from './smtp.ts'
import type { ClaimedDelivery } from './types.ts'

/*
 * One claimed delivery's way out, as typed stages: render (wire format, then template, preset
 * or email) → sign → send over HTTP or SMTP → classify (the sender) → next state. Nothing here
 * touches the store; results are written in batches.
 */

/** What a claimed batch shares: its events, their projects, credentials and users, read once. */
export interface BatchContext {
  events: Map<string, EventRow>
  projects: Map<string, ProjectRow>
  /** Keyed by `projectId/credentialId`. */
  credentials: Map<string, CredentialRow>
  /** Keyed by `projectId/userId`. */
  users: Map<string, UserRow>
}

/** Reads what rendering the events of `rows` needs: claimed deliveries, or one event to preview. */
export async function loadBatchContext(
  q: Queryable,
  rows: readonly Pick<ClaimedDelivery, 'event_id' | 'project_id'>[],
): Promise<BatchContext> {
  const events = await findEventsByIds(q, [...new Set(rows.map((r) => r.event_id))])
  const projects: ProjectRow[] = []
  for (const id of new Set(rows.map((r) => r.project_id))) {
    const project = await findProject(q, id)
    if (project) projects.push(project)
  }
  const credentials = await loadEach(events, (e) => e.credential_id, findCredential, q)
  const userOf = (e: EventRow) =>
    e.user_id ?? credentials.get(`${e.project_id}/${e.credential_id}`)?.user_id ?? null
  const users = await loadEach(events, userOf, findUser, q)
  return {
    events: new Map(events.map((e) => [e.id, e])),
    projects: new Map(projects.map((p) => [p.id, p])),
    credentials,
    users,
  }
}

/**
 * The rows an event names (its credential, its user), one lookup per distinct id in the batch.
 * Most batches carry a handful of distinct credentials, so this stays a few queries per claim.
 */
async function loadEach<Row>(
  events: readonly EventRow[],
  idOf: (event: EventRow) => string | null,
  find: (q: Queryable, projectId: string, id: string) => Promise<Row | null>,
  q: Queryable,
): Promise<Map<string, Row>> {
  const found = new Map<string, Row>()
  for (const event of events) {
    const id = idOf(event)
    const key = `${event.project_id}/${id}`
    if (id === null || found.has(key)) continue
    const row = await find(q, event.project_id, id)
    if (row) found.set(key, row)
  }
  return found
}

/** The event as the catalog renders it, with what the batch knows of its project, credential and user. */
export function catalogEventIn(event: EventRow, context: BatchContext) {
  const project = context.projects.get(event.project_id)
  return project ? catalogEventOf(event, project, contextOf(event, context)) : null
}

/** The credential and user an event is about, as far as the batch context knows them. */
function contextOf(event: EventRow, context: BatchContext) {
  const credential = context.credentials.get(`${event.project_id}/${event.credential_id}`) ?? null
  const userId = event.user_id ?? credential?.user_id ?? null
  return { credential, user: context.users.get(`${event.project_id}/${userId}`) ?? null }
}

export interface SendDeps {
  now: () => Date
  sender: Sender
  mailer: Mailer
  publicUrl: string
  retry: Omit<RetryOptions, 'schedule'>
  /** Aborts the send when the dispatcher stops. */
  signal: AbortSignal
  /** Keeps bodies above a destination's maxPayloadBytes (claim checks). */
  claims?: ClaimChecks
}

/**
 * Renders, signs and sends one claimed delivery, and works out its next state.
 * @returns the result to record; never throws for HTTP or network faults
 */
export async function sendClaimed(
  row: ClaimedDelivery,
  context: BatchContext,
  deps: SendDeps,
): Promise<Finished> {
  const project = context.projects.get(row.project_id)
  const settings = deliverySettingsOf(project?.settings ?? {})
  const event = context.events.get(row.event_id)
  const prepared: PreparedAttempt =
    event && project
      ? prepareAttempt(
          attemptTargetOf(row, deps.now()),
          catalogEventOf(event, project, contextOf(event, context)),
          deps,
        )
      : { ok: false, error: 'the event no longer exists; nothing was sent' }
  if (!prepared.ok) {
    const state = {
      status: 'failed' as const,
      nextAttemptAt: null,
      error: prepared.error,
      disableReason: null,
    }
    return { claimed: row, settings, state, completion: completionOf(row, state, null) }
  }
  const record = await prepared.send()
  const retry = { schedule: settings.retrySchedule, ...deps.retry }
  const state = nextState(record.outcome, row.attempts, retry, deps.now())
  return { claimed: row, settings, state, completion: completionOf(row, state, record) }
}

function attemptTargetOf(row: ClaimedDelivery, now: Date): AttemptTarget {
  return {
    deliveryId: row.id,
    type: row.type,
    url: row.url,
    emailTo: row.email_to,
    format: row.format,
    headers: row.headers,
    template: row.template,
    preset: row.preset,
    timeoutMs: row.timeout_ms,
    secrets: signingSecrets(row, now),
    sequence: row.sequence,
    maxPayloadBytes: row.max_payload_bytes,
  }
}

function completionOf(
  row: ClaimedDelivery,
  state: Finished['state'],
  record: Finished['completion']['record'],
): Finished['completion'] {
  return {
    deliveryId: row.id,
    destinationId: row.destination_id,
    attempt: row.attempts,
    status: state.status,
    nextAttemptAt: state.nextAttemptAt,
    record,
    error: state.error,
  }
}
