import fastifySwagger from '@fastify/swagger'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyRequest,
} from 'fastify'
import type { Logger } from 'pino'
import { newId } from '../ids.ts'
import { installAuth, type Authenticators } from './auth.ts'
import { installBodyLimits } from './body-limits.ts'
import { installErrorHandler } from './error-handler.ts'
import { installJsonParser } from './json-parser.ts'
import { clientErrorHandler, frameworkErrors, installUrlGuard } from './malformed-requests.ts'
import { createRateLimiter, type RateLimits } from './rate-limit.ts'
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
    loggerInstance: options.logger.child(
      {},
      { serializers: { req: logRequest } },
    ) as FastifyBaseLogger,
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
    // One log line per request instead of Fastify's two, its URL redacted like `logRequest`'s.
    logController: createRequestLog({ urlForLog: loggedUrl }),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // Ids and cursors are URL-safe, so no param needs to be longer than this.
    routerOptions: { maxParamLength: 200 },
    frameworkErrors,
    clientErrorHandler,
  })
  app.setValidatorCompiler(validatorCompiler)
  // JSON only: a text body is refused with 415 instead of failing validation as a string.
  app.removeContentTypeParser('text/plain')
  installJsonParser(app)
  installErrorHandler(app)
  installUrlGuard(app)
  installBodyLimits(app, options.bodyLimitBytes)
  const rateLimits = createRateLimiter(options.rateLimits)
  // /hooks takes its per-trigger bucket once it has found the trigger.
  app.decorate('rateLimits', rateLimits)
  installAuth(app, options.authenticators, rateLimits.caller)
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
    // Shared schemas (`ApiError`) keep their $id as their name under components.schemas.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
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

/**
 * The request as its log line shows it (Fastify's own shows the full URL). No headers: the
 * Authorization header and the signature and token headers providers send stay out of the log.
 * The URL without what grants access: every /hooks query value but `id` (a trigger may verify
 * with `?token=`, Meta sends `hub.verify_token`), any other query value whose name says it is a
 * secret, and the token of a claim-check URL (`/v1/claims/:token` serves a body to whoever has it).
 */
function logRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: loggedUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }
}

const secretParam = /token|key|secret|pass|sig|auth|code|credential|session/i

/** @example loggedUrl('/hooks/t1?id=c1&token=abc') // '/hooks/t1?id=c1&token=[redacted]' */
export function loggedUrl(url: string): string {
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  const shownPath = path.replace(/^(\/v1\/claims\/)[^/]+/, '$1[redacted]')
  if (q === -1) return shownPath
  const hooks = path.startsWith('/hooks/')
  const query = url
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const name = part.split('=', 1)[0]!
      const secret = hooks ? name !== 'id' : secretParam.test(decodeName(name))
      return secret && part.includes('=') ? `${name}=[redacted]` : part
    })
  return `${shownPath}?${query.join('&')}`
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll('+', ' '))
  } catch {
    return name
  }
}
