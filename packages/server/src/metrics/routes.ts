import { timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import { isIP } from 'node:net'
import type { FastifyPluginAsync } from 'fastify'
import { errorCatalog } from '../errors.ts'
import type { Metrics } from './registry.ts'

/** Who may read /metrics: see `metricsAccess`. */
export interface MetricsAccess {
  /** `SWITCHYARD_METRICS_TOKEN`: a bearer token for scrapers. */
  token: string | null
  /** The instance admin token's check: the operator may always read. */
  checkInstanceToken: (token: string) => boolean
  /** The address the engine listens on; loopback-only makes /metrics open without a token. */
  host: string
}

/**
 * May this request read the metrics? With a metrics token: that token or the instance admin
 * token. Without one: anyone when the engine listens on loopback only (only this machine can
 * reach it), else the instance admin token only. Metrics name projects and their backlogs,
 * which one tenant must not read of another; a scraper gets its own token.
 * @example mayReadMetrics(access, 'Bearer s3cret') // true when s3cret is the metrics token
 */
export function mayReadMetrics(access: MetricsAccess, authorization: string | undefined): boolean {
  const bearer = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1]
  if (bearer !== undefined) {
    if (access.token !== null && sameText(bearer, access.token)) return true
    if (access.checkInstanceToken(bearer)) return true
  }
  return access.token === null && isLoopback(access.host)
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** @example isLoopback('127.0.0.1') // true; isLoopback('0.0.0.0') // false */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host === '::1' || host === '[::1]'
}

const refusal = () => {
  const { status, message } = errorCatalog.metrics_token_required
  return { status, body: JSON.stringify({ error: { code: 'metrics_token_required', message } }) }
}

/** `GET /metrics` on the API port, in Prometheus' text format. */
export function metricsRoutes(metrics: Metrics, access: MetricsAccess): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/metrics',
      { config: { auth: 'public' }, schema: { hide: true } },
      async (request, reply) => {
        if (!mayReadMetrics(access, request.headers.authorization)) {
          const { status, body } = refusal()
          return reply.status(status).type('application/json; charset=utf-8').send(body)
        }
        const text = await metrics.registry.metrics()
        return reply.type(metrics.registry.contentType).send(text)
      },
    )
  }
}

/**
 * `/metrics` on a port of its own (`SWITCHYARD_METRICS_PORT`), for deployments that keep the
 * scrape off the public API port. Same access rule.
 * @returns the listening server's URL and a close function
 */
export async function listenForMetrics(
  metrics: Metrics,
  access: MetricsAccess,
  port: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    void (async () => {
      const path = (request.url ?? '').split('?', 1)[0]
      if (request.method !== 'GET' || path !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics here.\n')
        return
      }
      if (!mayReadMetrics(access, request.headers.authorization)) {
        const { status, body } = refusal()
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(body)
        return
      }
      const text = await metrics.registry.metrics()
      response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text)
    })().catch(() => {
      if (!response.headersSent) response.writeHead(500)
      response.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, access.host, () => resolve())
  })
  const address = server.address()
  const shownPort = typeof address === 'object' && address ? address.port : port
  const host = isIP(access.host) === 6 ? `[${access.host}]` : access.host
  return {
    url: `http://${host}:${shownPort}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
