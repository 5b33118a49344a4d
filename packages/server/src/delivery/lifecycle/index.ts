import type { FastifyPluginAsync } from 'fastify'
import { lifecycleActionRoutes, type LifecycleRoutesDeps } from './action-routes.ts'
import { timelineRoutes } from './timeline-routes.ts'

/*
 * A destination's runtime state and its one owner: states.ts (the table), transition.ts (the
 * one way it changes), state-store.ts (the only writer of its columns), the prober, the failure
 * rule, contact emails, the admin actions and the timeline.
 */
export { changeState, transition, type Transition } from './transition.ts'
export { createProber, type Prober, type ProbeResult } from './prober.ts'
export { stopTargets, type StopTarget } from './failure-rule.ts'
export { lockDestinations, recordFailureStreaks, type FailureStreak } from './state-store.ts'
export type { FailureStreakUpdate } from './state-store.ts'
export type { Cause, DestinationState } from './states.ts'
export type { LifecycleRoutesDeps } from './action-routes.ts'

/**
 * `POST /v1/destinations/:id/{enable,disable,recover,test}`, `POST /v1/destinations/test` and
 * `GET /v1/destinations/:id/timeline`.
 * @example features: [destinationRoutes({ db, now, box }), lifecycleRoutes({ db, publisher, box, now, sender, mailer, publicUrl })]
 */
export function lifecycleRoutes(deps: LifecycleRoutesDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(lifecycleActionRoutes(deps))
    await app.register(timelineRoutes(deps))
  }
}
