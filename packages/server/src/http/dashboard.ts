import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { apiError } from '../errors.ts'

// The published package carries the build at dist/dashboard (copied there at prepack, beside
// this module's dist/http/); in the repository it is packages/dashboard/dist, which npm install
// builds. src/dashboard never exists, so the repository always serves its own build.
const packedDashboardDir = fileURLToPath(new URL('../dashboard', import.meta.url))

/** Where the dashboard's build is: the copy packed with this package, else `vite build`'s output in packages/dashboard. */
export const defaultDashboardDir = existsSync(path.join(packedDashboardDir, 'index.html'))
  ? packedDashboardDir
  : fileURLToPath(new URL('../../../dashboard/dist', import.meta.url))

// Paths the API owns: an unknown one here is the API's JSON 404, never the app's index.html.
const apiPrefixes = ['/v1', '/hooks', '/healthz', '/readyz', '/openapi.json', '/metrics', '/assets']

// What Vite writes under assets/: hashed names, optionally in subfolders. Nothing else is an
// asset, so `..`, `.hidden`, backslashes, NUL and encoded forms of them never reach the disk
// (before, @fastify/static refused them with errors this server answered as 500s).
const assetName = /^(?:[\w-][\w.-]*\/)*[\w-][\w.-]*$/

const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchyard: dashboard not built</title></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>The dashboard has not been built</h1>
<p>The API is running; only the web console is missing. Build it, then reload this page:</p>
<pre style="background:#f3f4f6;padding:1rem;border-radius:6px">npm install            # at the repository root: builds it too
npm run build -w @switchyard/dashboard</pre>
<p>The API reference is at <a href="/openapi.json">/openapi.json</a>.</p>
</body></html>
`

/**
 * Serves the dashboard: hashed assets under /assets/, and index.html for every other GET that
 * is not an API path, so the app's own paths (/deliveries/…) load on reload. Answers 503 with
 * how to build it when the build is missing, and picks the build up once it appears.
 * @example features: [...routes, dashboardRoutes()]
 */
export function dashboardRoutes(options: { dir?: string } = {}): FastifyPluginAsync {
  const dir = options.dir ?? defaultDashboardDir
  const indexFile = path.join(dir, 'index.html')
  const route = { config: { auth: 'public' }, schema: { hide: true } } as const
  return async (app) => {
    // Only `reply.sendFile`: the asset route below checks the name before any file is looked at.
    await app.register(fastifyStatic, { root: dir, serve: false })
    app.get('/assets/*', route, (request, reply) => {
      const name = (request.params as { '*': string })['*']
      if (!assetName.test(name))
        throw apiError('route_not_found', `No asset ${JSON.stringify(name)}.`)
      // Vite puts a content hash in every asset name, so a cached copy never goes stale. Each
      // request looks on disk: a build made after start is served without a restart.
      return reply.sendFile(name, path.join(dir, 'assets'), { immutable: true, maxAge: '365d' })
    })
    const serveApp = async (url: string, reply: FastifyReply) => {
      const pathname = url.split('?')[0] ?? '/'
      if (apiPrefixes.some((p) => pathname === p || pathname.startsWith(`${p}/`)))
        return reply.callNotFound()
      void reply.headers(securityHeaders)
      if (!existsSync(indexFile)) return reply.status(503).type('text/html').send(notBuiltPage)
      // index.html names the current build's assets: revalidated on every load.
      return reply
        .header('cache-control', 'no-cache')
        .sendFile('index.html', dir, { cacheControl: false })
    }
    app.get('/', route, (request, reply) => serveApp(request.url, reply))
    app.get('/*', route, (request, reply) => serveApp(request.url, reply))
  }
}
