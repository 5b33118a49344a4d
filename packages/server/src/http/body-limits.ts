import type { FastifyInstance } from 'fastify'

/**
 * The body limit of configuration routes (keys, settings, destinations, triggers, users,
 * credentials…): their bodies are small documents, so a megabyte there is an attack or a bug.
 */
export const controlBodyLimitBytes = 256 * 1024

// Routes that carry data take the configured limit (SWITCHYARD_BODY_LIMIT_BYTES); routes that
// declare their own (sync pages, /hooks) keep it.
const dataRoutes = new Set(['/v1/events', '/v1/events/batch'])

/**
 * Gives every route without its own `bodyLimit` one: the configured limit for data routes,
 * the smaller of it and `controlBodyLimitBytes` for the rest. Must run before routes register.
 * @example installBodyLimits(app, 1024 * 1024)
 */
export function installBodyLimits(app: FastifyInstance, bodyLimitBytes: number): void {
  app.addHook('onRoute', (route) => {
    if (route.bodyLimit !== undefined) return
    route.bodyLimit = dataRoutes.has(route.url)
      ? bodyLimitBytes
      : Math.min(bodyLimitBytes, controlBodyLimitBytes)
  })
}
