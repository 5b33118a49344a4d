import type { Logger } from 'pino'
import { openDestination, signingSecrets, type DestinationRow } from '../../destinations/index.ts'
import type { Publisher } from '../../events/index.ts'
import { periodic } from '../../periodic.ts'
import { findProject } from '../../projects/index.ts'
import type { Db } from '../../store/index.ts'
import type { SecretBox } from '../../secrets/index.ts'
import type { AttemptDeps } from '../attempt.ts'
import { sendContactNotices } from './contact-email.ts'
import { nextProbeDelayMs } from './states.ts'
import { takeDueProbes } from './state-store.ts'
import { sendTestEvent, testTargetOf } from './test-send.ts'
import { changeState } from './transition.ts'

export type ProbeResult =
  | { destinationId: string; projectId: string; outcome: 'resumed'; released: number }
  | { destinationId: string; projectId: string; outcome: 'failed'; error: string }
  | { destinationId: string; projectId: string; outcome: 'disabled' }

export interface ProberDeps extends AttemptDeps {
  db: Db
  publisher: Publisher
  /** Opens the sealed secrets a probe signs and sends with. */
  box: SecretBox
  log: Logger
  /** This process's dispatcher: a resumed destination's released deliveries go at once. */
  wake?: () => void
}

/**
 * The worker that probes paused destinations (states.ts): every `intervalMs` it takes the ones
 * whose probe is due and sends each a `webhook.test`; the answer is the transition's cause
 * (2xx: resumed, 410: disabled, else still paused). Then it sends contact emails a process
 * died before sending. Safe on every worker: each due probe is taken by one (takeDueProbes).
 * @example const prober = createProber({ db, publisher, box, log, now, sender, mailer, publicUrl }, { intervalMs: 10_000 })
 */
export function createProber(deps: ProberDeps, options: { intervalMs: number }) {
  const probe = async (limit = 20): Promise<ProbeResult[]> => {
    const due = await takeDueProbes(deps.db.kysely, { now: deps.now(), limit, nextProbeDelayMs })
    const results = await Promise.all(due.map((row) => probeOne(deps, row)))
    if (results.some((r) => r.outcome === 'resumed')) deps.wake?.()
    return results
  }
  // Emails a transition owed and a process died before sending (contact-email.ts).
  const sendOwedEmails = () => sendContactNotices(deps, { limit: 20 })
  const worker = periodic({
    name: 'destination-prober',
    intervalMs: options.intervalMs,
    runAtStart: false,
    run: async () => {
      await probe()
      await sendOwedEmails()
    },
    onError: (err) => deps.log.warn({ err }, 'probing paused destinations failed'),
  })
  // Tests call `probe` after moving the clock, and `sendOwedEmails`.
  return { ...worker, probe, sendOwedEmails }
}

export type Prober = ReturnType<typeof createProber>

async function probeOne(deps: ProberDeps, row: DestinationRow): Promise<ProbeResult> {
  const ids = { destinationId: row.id, projectId: row.project_id }
  const project = await findProject(deps.db.kysely, row.project_id)
  const opened = await openDestination(deps.box, row.id, row)
  const target = testTargetOf(opened, signingSecrets(opened, deps.now()))
  const result = await sendTestEvent(deps, target, {
    id: row.project_id,
    name: project?.name ?? '',
  })
  if (result.outcome === 'delivered') {
    const resumed = await changeState(deps, row.id, { kind: 'probe_ok', status: result.status })
    return { ...ids, outcome: 'resumed', released: resumed?.released ?? 0 }
  }
  if (result.outcome === 'gone') {
    await changeState(deps, row.id, { kind: 'probe_gone' })
    return { ...ids, outcome: 'disabled' }
  }
  const error = result.errorMessage ?? `HTTP ${result.status}`
  await changeState(deps, row.id, { kind: 'probe_failed', status: result.status, error })
  return { ...ids, outcome: 'failed', error }
}
