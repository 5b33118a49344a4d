import type { Logger } from 'pino'
import { periodic } from '../periodic.ts'
import type { Publisher } from '../events/index.ts'
import type { Db } from '../store/index.ts'
import { flushCredentialEvents, type CredentialHooks } from './credentials.ts'
import { listPendingEvents } from './store.ts'

/**
 * Repairs the credential outbox: a process that died between committing a status change and
 * storing its event left the event pending; this stores it (once, by its idempotency key).
 * Runs at start and then every `intervalMs`.
 * @example const worker = createCredentialOutbox({ db, publisher, log }); await worker.start()
 */
export function createCredentialOutbox(deps: {
  db: Db
  publisher: Publisher
  log: Logger
  hooks?: CredentialHooks
  intervalMs?: number
}) {
  return periodic({
    name: 'credential-outbox',
    intervalMs: deps.intervalMs ?? 30_000,
    runAtStart: true,
    run: async () => {
      for (const row of await listPendingEvents(deps.db.kysely, 100)) {
        await flushCredentialEvents(deps, row).catch((err: unknown) =>
          deps.log.error({ err, credentialId: row.id }, 'storing a credential event failed'),
        )
      }
    },
    onError: (err) => deps.log.error({ err }, 'credential outbox sweep failed'),
  })
}
