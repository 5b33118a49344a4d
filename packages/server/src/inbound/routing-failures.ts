import { sql, type Tx } from '../store/index.ts'
import type { Logger } from 'pino'
import type { EventIn, Publisher } from '../events/index.ts'
import { markRoutingFailures } from './request-store.ts'
import type { InboundRequestRow } from './store.ts'
import type { TriggerRow } from './types.ts'

/** A request the router could not route this time, with why. */
export interface RoutingFailure {
  row: InboundRequestRow
  /** Null when the trigger could not be read. */
  trigger: TriggerRow | null
  error: unknown
}

/**
 * Runs `work` in a savepoint of `tx`: when it throws, what it wrote is rolled back and the
 * transaction goes on.
 * @returns the error it threw, undefined when it did not
 */
export async function inSavepoint(tx: Tx, work: () => Promise<unknown>): Promise<unknown> {
  await sql`savepoint route_step`.execute(tx)
  try {
    await work()
    await sql`release savepoint route_step`.execute(tx)
    return undefined
  } catch (error) {
    await sql`rollback to savepoint route_step`.execute(tx)
    await sql`release savepoint route_step`.execute(tx)
    return error ?? new Error('routing failed')
  }
}

/**
 * Records failed tries in the router's transaction. Each request waits `leaseMs`, doubled with
 * each try, before the next; the `maxAttempts`th failure ends it as `failed` with the error as
 * its reason, announced on the inbound channel and raised as a `trigger.failed` event, so it is
 * neither retried forever nor lost: `POST /v1/inbound-requests/:id/replay` routes it again.
 */
export async function recordRoutingFailures(
  tx: Tx,
  failures: readonly RoutingFailure[],
  deps: { now: Date; leaseMs: number; maxAttempts: number; log: Logger; publisher: Publisher },
): Promise<void> {
  if (failures.length === 0) return
  const { now, leaseMs, maxAttempts, log } = deps
  const marks = failures.map(({ row, error }) => {
    const attempts = row.routing_attempts + 1
    const final = attempts >= maxAttempts
    log.error(
      { err: error, inboundRequestId: row.id, attempts, final },
      final ? 'routing an inbound request failed for good' : 'routing an inbound request failed',
    )
    const message = errorMessage(error)
    return {
      id: row.id,
      reason: final
        ? `routing failed ${attempts} times: ${message}`
        : `routing failed (try ${attempts} of ${maxAttempts}, retried): ${message}`,
      retryAt: final ? null : new Date(now.getTime() + leaseMs * 2 ** (attempts - 1)),
    }
  })
  await markRoutingFailures(tx, marks, now)
  const ended = failures.filter((f, i) => marks[i]!.retryAt === null)
  for (const [projectId, ofProject] of Map.groupBy(ended, (f) => f.row.project_id)) {
    const alert = await inSavepoint(tx, () =>
      deps.publisher.publish(
        tx,
        projectId,
        ofProject.map((f) => failedEvent(f, marks[failures.indexOf(f)]!.reason, now)),
      ),
    )
    // The requests stay failed and announced either way; only the event is missing.
    if (alert !== undefined) log.error({ err: alert, projectId }, 'raising trigger.failed failed')
  }
}

function failedEvent({ row, trigger }: RoutingFailure, reason: string, at: Date): EventIn {
  return {
    type: 'trigger.failed',
    ...(trigger ? { integration: trigger.integration } : {}),
    occurredAt: at.toISOString(),
    data: {
      triggerId: row.trigger_id,
      ...(trigger ? { trigger: trigger.name } : {}),
      inboundRequestId: row.id,
      reason,
      attempts: row.routing_attempts + 1,
    },
  }
}

// A reason is for a person: the message, kept short (a driver error can quote a whole row).
function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.length > 500 ? `${message.slice(0, 500)}…` : message
}
