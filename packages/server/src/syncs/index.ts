import type { FastifyPluginAsync } from 'fastify'
import type { Logger } from 'pino'
import type { Publisher } from '../events/index.ts'
import type { Caller } from '../http/auth.ts'
import type { SettingsExtension } from '../projects/index.ts'
import type { Db } from '../store/index.ts'
import {
  connectorRegistry,
  filesystemConnector,
  type Connector,
  type FilesystemOptions,
} from './connectors/index.ts'
import { syncRoutes } from './routes.ts'
import { SyncScheduler, type SchedulerOptions } from './scheduler.ts'
import { createUserTokenAuthenticator, userTokenSetting } from './user-tokens.ts'

export { syncRoutes, type SyncRoutesDeps } from './routes.ts'
export { SyncScheduler, type SchedulerOptions } from './scheduler.ts'
export { createUserTokenAuthenticator, userTokenSetting } from './user-tokens.ts'
export { recordId, recordIdNamespace } from './record-ids.ts'
export { classifyFailure, syncErrorCodes, transientCodes } from './error-codes.ts'
export { diffRecords, type DiffOperation } from './diff.ts'
export {
  ConnectorError,
  connectorRegistry,
  defaultFilesystemLimits,
  filesystemConnector,
  type Connector,
  type ConnectorRegistry,
  type FilesystemOptions,
} from './connectors/index.ts'

/** What the sync feature adds to the engine. */
export interface SyncFeature {
  routes: FastifyPluginAsync
  scheduler: SyncScheduler
  /** `userTokens` in the project settings. */
  settings: SettingsExtension
  /** The `Authenticators.userToken` hook. */
  userToken: (token: string) => Promise<Caller | null>
}

/**
 * Wires the sync change feed: its routes, the scheduler of the built-in connectors (the
 * `filesystem` one unless `connectors` says otherwise: off unless `filesystem.roots` names
 * directories), user-token settings and authentication.
 * @example const syncs = createSyncFeature({ db, log, now, publisher, filesystem: { roots, dataDir } })
 */
export function createSyncFeature(deps: {
  db: Db
  log: Logger
  now: () => Date
  publisher: Publisher
  connectors?: readonly Connector[]
  /** The `filesystem` connector's roots and bounds; without roots it refuses every sync. */
  filesystem?: FilesystemOptions
  scheduler?: Partial<SchedulerOptions>
}): SyncFeature {
  const connectors = connectorRegistry(deps.connectors ?? [filesystemConnector(deps.filesystem)])
  const featureDeps = {
    db: deps.db,
    log: deps.log,
    now: deps.now,
    publisher: deps.publisher,
    connectors,
  }
  return {
    routes: syncRoutes(featureDeps),
    scheduler: new SyncScheduler(featureDeps, deps.scheduler),
    settings: userTokenSetting({ now: deps.now }),
    userToken: createUserTokenAuthenticator({ db: deps.db, now: deps.now }),
  }
}
