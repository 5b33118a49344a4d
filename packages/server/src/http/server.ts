import fastifySwagger from '@fastify/swagger'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
} from 'fastify'
import type { Logger } from 'pino'
import { newId } from '../ids.ts'
import { installAuth, type Authenticators } from './auth.ts'
import { installBodyLimits } from './body-limits.ts'
import { installErrorHandler } from './error-handler.ts'
import { installJsonParser } from './json-parser.ts'
import { installRateLimits, type RateLimits } from './rate-limit.ts'
import { createRequestLog } from './request-log.ts'
import { validatorCompiler } from './validation.ts'

export interface ServerOptions {
  logger: Logger
  bodyLimitBytes: number
  authenticators: Authenticators
  /** Is the store reachable? Backs /readyz. */
  checkReady: () => Promise<void>
  /** The features' route plugins, registered in order. */
  features: FastifyPluginAsync[]
  version: string
  rateLimits: RateLimits
  /** Most time a client may take to send a whole request; bounds slowloris senders. */
  requestTimeoutMs: number
  /** Cross-cutting hooks (the audit trail), installed before any feature's route. */
  hooks?: ((app: FastifyInstance) => void)[]
}

/**
 * Wires the HTTP server: errors, auth, OpenAPI, health and the features' routes. Owns no routes
 * of its own beyond health and the OpenAPI document.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    // Node's default (300 s) lets a client trickle a body for five minutes per connection.
    requestTimeout: options.requestTimeoutMs,
    // Node checks request deadlines every 30 s by default; a slow client should not get 30 s more.
    http: {
      connectionsCheckingInterval: Math.max(100, Math.min(5000, options.requestTimeoutMs / 4)),
      headersTimeout: Math.min(60_000, options.requestTimeoutMs),
    },
    requestIdHeader: 'x-request-id',
    genReqId: () => newId(),
    // One log line per request instead of Fastify's two.
    logController: createRequestLog(),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // Ids and cursors are URL-safe, so no param needs to be longer than this.
    routerOptions: { maxParamLength: 200 },
  })
  app.setValidatorCompiler(validatorCompiler)
  // JSON only: a text body is refused with 415 instead of failing validation as a string.
  app.removeContentTypeParser('text/plain')
  installJsonParser(app)
  installErrorHandler(app)
  installBodyLimits(app, options.bodyLimitBytes)
  installRateLimits(app, options.rateLimits)
  installAuth(app, options.authenticators)
  for (const hook of options.hooks ?? []) hook(app)
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id)
  })
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Switchyard API', version: options.version },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
  })
  registerHealth(app, options.checkReady)
  for (const feature of options.features) await app.register(feature)
  return app
}

function registerHealth(app: FastifyInstance, checkReady: () => Promise<void>): void {
  const hidden = { hide: true } as const
  app.get('/healthz', { config: { auth: 'public' }, schema: hidden }, async () => ({
    status: 'ok',
  }))
  app.get('/readyz', { config: { auth: 'public' }, schema: hidden }, async (_request, reply) => {
    try {
      await checkReady()
      return { status: 'ready' }
    } catch {
      return reply.status(503).send({
        error: {
          code: 'store_unavailable',
          message: 'The database is not reachable; retry shortly.',
        },
      })
    }
  })
  app.get('/openapi.json', { config: { auth: 'public' }, schema: hidden }, async () =>
    app.swagger(),
  )
}
