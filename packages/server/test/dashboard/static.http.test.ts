import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dashboardRoutes } from '../../src/http/dashboard.ts'

let dir: string
let built: FastifyInstance
let missing: FastifyInstance

async function serve(distDir: string): Promise<FastifyInstance> {
  const app = Fastify()
  app.get('/v1/things', async () => ({ data: [] }))
  await app.register(dashboardRoutes({ dir: distDir }))
  await app.ready()
  return app
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-dist-'))
  await fs.mkdir(path.join(dir, 'assets'))
  await fs.writeFile(path.join(dir, 'index.html'), '<!doctype html><title>app</title>')
  await fs.writeFile(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)')
  built = await serve(dir)
  missing = await serve(path.join(dir, 'not-built'))
})
afterAll(async () => {
  await Promise.all([built.close(), missing.close()])
  await fs.rm(dir, { recursive: true, force: true })
})

describe('the dashboard build', () => {
  it("answers the app's own paths with index.html, revalidated each time", async () => {
    for (const url of ['/', '/deliveries/0192', '/triggers/new?step=2']) {
      const res = await built.inject({ url })
      expect(res.statusCode).toBe(200)
      expect(res.body).toContain('<title>app</title>')
      expect(res.headers['cache-control']).toBe('no-cache')
      expect(res.headers['content-security-policy']).toContain("script-src 'self'")
    }
  })

  it('serves hashed assets as immutable', async () => {
    const res = await built.inject({ url: '/assets/index-abc123.js' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toContain('immutable')
  })

  it('leaves API paths to the API: a known route answers, an unknown one is a 404', async () => {
    expect((await built.inject({ url: '/v1/things' })).json()).toEqual({ data: [] })
    for (const url of ['/v1/nothing', '/hooks/abc', '/healthz', '/metrics', '/assets/gone.js'])
      expect((await built.inject({ url })).statusCode, url).toBe(404)
  })
})

describe('a missing build', () => {
  it('answers 503 with how to build it instead of failing', async () => {
    const res = await missing.inject({ url: '/overview' })
    expect(res.statusCode).toBe(503)
    expect(res.headers['content-type']).toContain('text/html')
    expect(res.body).toContain('npm run build -w @switchyard/dashboard')
  })
})
