import type { FastifyPluginAsync } from 'fastify'
import type { Logger } from 'pino'
import type { Publisher } from '../events/index.ts'
import type { Db } from '../store/index.ts'
import type { TokenUse } from '../integrations/index.ts'
import type { CredentialHooks } from '../users/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { credentialLifecycle } from './credential-lifecycle.ts'
import { createInboundFeed, type InboundFeed } from './feed.ts'
import { hookRoutes } from './hook-routes.ts'
import { inboundLogRoutes } from './log-routes.ts'
import { tokenUses } from './integration-refs.ts'
import { createInboundPruner } from './retention.ts'
import type { InboundObserver } from './receiver.ts'
import { InboundRouter, type RouterOptions } from './router.ts'
import { triggerRoutes } from './routes.ts'
import { setupRoutes } from './setup-routes.ts'

export type { InboundFeed, InboundNotice } from './feed.ts'
export { InboundRouter } from './router.ts'
export { receiveHook } from './receive.ts'
export type { InboundObserver, RoutedOutcome } from './receiver.ts'
export { pruneInboundRequests } from './retention.ts'
export { sealedTriggerSecrets, sealedTriggerValues } from './sealed-store.ts'
export type { InboundOutcome, TriggerRow } from './types.ts'

export interface InboundDeps {
  db: Db
  box: SecretBox
  publisher: Publisher
  log: Logger
  now: () => Date
  publicUrl: string
  allowPrivateTargets: boolean
  /** Body bytes all /hooks requests of the process may hold at once. */
  hookBodyBytesInFlight?: number
  router?: Partial<RouterOptions>
  /** Hears of /hooks answers and routing (metrics/). */
  observe?: InboundObserver
}

/**
 * Inbound triggers, wired: the /hooks receiver, the trigger and log APIs, API setup, the router
 * worker that emits `trigger.received` after each answer, the request log's pruner, what
 * credential changes do to triggers, and where triggers use developer tokens.
 * @example const inbound = createInbound({ db, box, publisher, log, now, publicUrl, allowPrivateTargets })
 */
export function createInbound(deps: InboundDeps): {
  routes: FastifyPluginAsync[]
  workers: { name: string; start(): Promise<void>; stop(): Promise<void> }[]
  feed: InboundFeed
  credentialHooks: CredentialHooks
  tokenUses: (projectId: string, type: string) => Promise<TokenUse[]>
} {
  const feed = createInboundFeed(deps.db)
  const router = new InboundRouter({ ...deps, feed }, deps.router)
  const closeFeed: FastifyPluginAsync = async (app) => {
    app.addHook('onClose', async () => feed.close())
  }
  return {
    routes: [
      hookRoutes(deps),
      triggerRoutes(deps),
      inboundLogRoutes({ db: deps.db, feed }),
      setupRoutes(deps),
      closeFeed,
    ],
    workers: [router, createInboundPruner(deps)],
    feed,
    credentialHooks: credentialLifecycle(deps),
    tokenUses: (projectId, type) => tokenUses(deps.db, projectId, type),
  }
}
