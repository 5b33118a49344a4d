import { openDestination, signingSecrets, type SecretParts } from '../destinations/index.ts'
import { findEventsByIds, type EventRow } from '../events/index.ts'
import { deliverySettingsOf, findProject, type ProjectRow } from '../projects/index.ts'
import type { Queryable } from '../store/index.ts'
import { findCredential, findUser, type CredentialRow, type UserRow } from '../users/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { traceAttempt } from '../tracing/index.ts'
import type { WireFormat } from '../catalog/index.ts'
import type { ClaimChecks } from './claim-store.ts'
import { gatherMembers, renderCoalesced } from './coalesce.ts'
import type { Member } from './coalesce-store.ts'
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
  /** The deliveries a coalescing carrier sends for, by carrier id (see coalesce.ts). */
  members: Map<string, Member[]>
  /** The destinations' secrets (signing secrets, headers, preset), opened, by destination id. */
  secrets: Map<string, SecretParts>
}

/**
 * What a claimed batch needs to be sent: coalescing carriers fold their key's later
 * deliveries in first (a query per carrier; none for other deliveries), then the events of all
 * of them are read at once.
 */
export async function loadClaimedContext(
  q: Queryable,
  rows: readonly ClaimedDelivery[],
  now: Date,
  box: SecretBox,
): Promise<BatchContext> {
  const members = await gatherMembers(q, rows, now)
  const memberRows = rows.flatMap((row) =>
    (members.get(row.id) ?? []).map((m) => ({ event_id: m.event_id, project_id: row.project_id })),
  )
  const context = await loadBatchContext(q, [...rows, ...memberRows])
  return { ...context, members, secrets: await openSecrets(box, rows) }
}

/**
 * Each destination's secrets opened once per batch, not per delivery: a claim of 100 is mostly
 * a handful of destinations, and each open is an AES-GCM decryption (about 3 µs) per value.
 * @throws secret_key_unknown when the configured keys do not open them: the claim fails, the
 *   deliveries stay pending and come back when their lease runs out
 */
async function openSecrets(
  box: SecretBox,
  rows: readonly ClaimedDelivery[],
): Promise<Map<string, SecretParts>> {
  const opened = new Map<string, SecretParts>()
  for (const row of rows)
    if (!opened.has(row.destination_id))
      opened.set(row.destination_id, await openDestination(box, row.destination_id, row))
  return opened
}

/** Reads what rendering the events of `rows` needs: claimed deliveries, or one event to preview. */
export async function loadBatchContext(
  q: Queryable,
  rows: readonly Pick<ClaimedDelivery, 'event_id' | 'project_id' | 'event'>[],
): Promise<BatchContext> {
  // The claim read its rows' events (store.ts claimDue); only the others (a coalescing
  // carrier's members, a preview) are read here.
  const read = rows.flatMap((r) => (r.event ? [r.event] : []))
  const unread = rows.filter((r) => r.event === undefined).map((r) => r.event_id)
  // Independent reads go out together: the claim waits on this before its first send, and each
  // round trip on a busy store was most of that wait (bench/deliver's latency phase).
  const [events, projects] = await Promise.all([
    findEventsByIds(q, [...new Set(unread)]).then((found) => [...read, ...found]),
    Promise.all([...new Set(rows.map((r) => r.project_id))].map((id) => findProject(q, id))),
  ])
  const credentials = await loadEach(events, (e) => e.credential_id, findCredential, q)
  const userOf = (e: EventRow) =>
    e.user_id ?? credentials.get(`${e.project_id}/${e.credential_id}`)?.user_id ?? null
  const users = await loadEach(events, userOf, findUser, q)
  return {
    events: new Map(events.map((e) => [e.id, e])),
    projects: new Map(projects.flatMap((p) => (p ? [[p.id, p] as const] : []))),
    credentials,
    users,
    members: new Map(),
    secrets: new Map(),
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
  const wanted = new Map<string, [projectId: string, id: string]>()
  for (const event of events) {
    const id = idOf(event)
    if (id !== null) wanted.set(`${event.project_id}/${id}`, [event.project_id, id])
  }
  const found = new Map<string, Row>()
  await Promise.all(
    [...wanted].map(async ([key, [projectId, id]]) => {
      const row = await find(q, projectId, id)
      if (row) found.set(key, row)
    }),
  )
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
          attemptTargetOf(row, openedSecretsOf(row, context), deps.now()),
          catalogEventOf(event, project, contextOf(event, context)),
          deps,
          coalescedBodyOf(row, context, deps.publicUrl),
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
  // A child of the trace the event was accepted in, whichever process sends it.
  const record = await traceAttempt(row, event?.trace_context, prepared.send)
  const retry = { schedule: settings.retrySchedule, ...deps.retry }
  const state = nextState(record.outcome, row.attempts, retry, deps.now())
  return { claimed: row, settings, state, completion: completionOf(row, state, record) }
}

/** A coalescing carrier's shared body; undefined for every other delivery. */
function coalescedBodyOf(
  row: ClaimedDelivery,
  context: BatchContext,
  publicUrl: string,
): { body: unknown } | undefined {
  if (row.coalesce_key === null) return undefined
  const ids = [row.event_id, ...(context.members.get(row.id) ?? []).map((m) => m.event_id)]
  // A member whose event retention deleted meanwhile is left out.
  const events = ids.flatMap((id) => {
    const event = context.events.get(id)
    return event ? (catalogEventIn(event, context) ?? []) : []
  })
  const format = row.format as WireFormat
  return { body: renderCoalesced(format, row.coalesce_key, events, { publicUrl }) }
}

function openedSecretsOf(row: ClaimedDelivery, context: BatchContext): SecretParts {
  const opened = context.secrets.get(row.destination_id)
  // Sending with the sealed values would sign with ciphertext: a context without them is a bug.
  if (!opened) throw new Error(`the batch context has no secrets for ${row.destination_id}`)
  return opened
}

function attemptTargetOf(row: ClaimedDelivery, opened: SecretParts, now: Date): AttemptTarget {
  return {
    deliveryId: row.id,
    destinationId: row.destination_id,
    type: row.type,
    url: opened.url,
    broker: opened.broker ?? null,
    emailTo: row.email_to,
    format: row.format,
    headers: opened.headers,
    template: row.template,
    preset: opened.preset,
    timeoutMs: row.timeout_ms,
    secrets: signingSecrets(opened, now),
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
