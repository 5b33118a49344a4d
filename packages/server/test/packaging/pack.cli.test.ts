import { execFileSync } from 'node:child_process'
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumPath, chromiumPresent } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait.ts'
import { processExists, run, start, stopAll } from './processes.ts'
import { childEnv, copyWorkspace, pack, writeScratchProject } from './scratch-project.ts'

// Both packages as someone outside this repository gets them: packed by their own prepack,
// installed from the tarballs into a scratch app, used on the Node versions they promise.
// Each step is bounded generously (the machine may be busy); none is timed.

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-pack-'))
const app = path.join(work, 'app')
const env = childEnv()
const hasChromium = chromiumPresent('the SDK bundle in headless Chromium')
const node20 = findOldNode()

beforeAll(async () => {
  const copy = path.join(work, 'workspace')
  const tarballs = path.join(work, 'tarballs')
  fs.mkdirSync(tarballs, { recursive: true })
  fs.mkdirSync(app)
  copyWorkspace(copy)
  const sdk = await pack(path.join(copy, 'packages/sdk'), tarballs, { env })
  const server = await pack(path.join(copy, 'packages/server'), tarballs, { env })
  writeScratchProject(
    app,
    new Map([
      ['@switchyard/sdk', sdk],
      ['switchyard', server],
    ]),
  )
  fs.cpSync(path.join(import.meta.dirname, 'app'), app, { recursive: true })
  const install = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], {
    cwd: app,
    env,
  })
  expect(install.code, install.output).toBe(0)
}, 900_000)

afterAll(async () => {
  await stopAll()
  fs.rmSync(work, { recursive: true, force: true })
})

/** Standard Webhooks headers, signed with node:crypto: independent of the SDK under test. */
function sign(secret: string, id: string, timestamp: number, body: string) {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')
  return {
    'webhook-id': id,
    'webhook-timestamp': `${timestamp}`,
    'webhook-signature': `v1,${signature}`,
  }
}

// The specification's published test vector, and a fresh webhook signed a moment ago.
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  body: '{"test": 2432232314}',
  timestamp: 1614265330,
  headers: sign(
    'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    'msg_p5jXN8AQM9LWM0D4loKWxJek',
    1614265330,
    '{"test": 2432232314}',
  ),
}
const secret = `whsec_${randomBytes(24).toString('base64')}`
const body = JSON.stringify({ type: 'webhook.test', timestamp: new Date().toISOString(), data: {} })
const signed = {
  secret,
  body,
  headers: sign(secret, `msg_${randomUUID()}`, Math.floor(Date.now() / 1000), body),
}

/** The system's Node 20 (older than the server's engines field; the SDK's oldest promise). */
function findOldNode(): string | undefined {
  const found = ['/usr/bin/node', '/usr/local/bin/node'].find(
    (file) =>
      fs.existsSync(file) &&
      execFileSync(file, ['--version'], { encoding: 'utf8' }).startsWith('v20.'),
  )
  if (!found)
    console.warn('skipped: the Node 20 checks (no Node 20 at /usr/bin/node or /usr/local/bin/node)')
  return found
}

describe('@switchyard/sdk installed from its tarball', { timeout: 300_000 }, () => {
  it('ships JavaScript and declarations, and its exports name them', () => {
    expectPackedExports('@switchyard/sdk', ['.', './express', './fastify', './hono'])
  })

  it("signs the specification's test vector as published (the test's own signer)", () => {
    expect(vector.headers['webhook-signature']).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    )
  })

  it('verifies a signed webhook and calls the API through the typed client on Node 24', async () => {
    await expectSdkWorks(process.execPath, process.version)
  })

  it.skipIf(!node20)(
    'verifies a signed webhook and calls the API through the typed client on Node 20',
    async () => {
      await expectSdkWorks(node20!, 'v20.')
    },
  )

  it('type-checks an app against its declarations', async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, env })
    expect(result.code, result.output).toBe(0)
  })

  it('bundles for the browser with Vite, and the bundle verifies through WebCrypto', async () => {
    const bundle = await buildBrowserBundle()
    expect(fs.readFileSync(bundle, 'utf8')).not.toMatch(/from ['"]node:|require\(/)
    const result = await run(
      process.execPath,
      [path.join(app, 'run-bundle.mjs'), bundle, JSON.stringify(signed)],
      { cwd: app, env },
    )
    expect(result.code, result.output).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      event: JSON.parse(body),
      tampered: 'invalid_signature',
    })
  })

  it.skipIf(!hasChromium)('runs the Vite bundle in headless Chromium', async () => {
    const bundle = fs.readFileSync(await buildBrowserBundle(), 'utf8')
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    })
    try {
      const page = await browser.newPage()
      // Served as http://localhost, a secure context: WebCrypto's subtle exists only in one.
      await page.route('http://localhost/**', (route) =>
        route.request().url().endsWith('.js')
          ? route.fulfill({ contentType: 'text/javascript', body: bundle })
          : route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>sdk</title>' }),
      )
      await page.goto('http://localhost/')
      const result = await page.evaluate(
        async ({ module, input }) => (await import(module)).check(input),
        { module: '/sdk-browser.js', input: signed },
      )
      expect(result).toEqual({ event: JSON.parse(body), tampered: 'invalid_signature' })
    } finally {
      await browser.close()
    }
  })
})

describe('switchyard installed from its tarball', { timeout: 600_000 }, () => {
  it('ships JavaScript and declarations, and its exports name them', () => {
    expectPackedExports('switchyard', ['.'])
  })

  it("resolves @switchyard/sdk to the installed SDK's JavaScript", () => {
    const fromServer = createRequire(path.join(app, 'node_modules/switchyard/dist/index.js'))
    expect(fromServer.resolve('@switchyard/sdk')).toBe(
      path.join(app, 'node_modules/@switchyard/sdk/dist/index.js'),
    )
  })

  it('prints its help through npx', async () => {
    const result = await run('npx', ['--offline', 'switchyard', '--help'], { cwd: app, env })
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toMatch(/^Usage: switchyard /)
  })

  it('starts the engine with its migrations, dashboard and sandbox, and stops leaving no process', async () => {
    const dataDir = path.join(work, 'data')
    const engine = start(
      path.join(app, 'node_modules/.bin/switchyard'),
      ['start', '--port', '0', '--data-dir', dataDir],
      { cwd: app, env: childEnv({ SWITCHYARD_LOG_LEVEL: 'warn' }) },
    )
    const url = (await engine.waitFor(/Listening\s+(http:\/\/\S+)/, 180_000))[1]!
    await waitFor(async () => (await call(`${url}/healthz`)).ok, 60_000, 200)
    // The shebang's V8 flags reach the installed bin's process (Linux shows them in /proc).
    const cmdline = `/proc/${engine.child.pid}/cmdline`
    if (fs.existsSync(cmdline))
      expect(fs.readFileSync(cmdline, 'utf8').split('\0')).toContain('--max-old-space-size=1536')
    await expectDashboard(url)
    const { apiKey } = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'))
    await expectSandbox(url, apiKey)

    const pid = engine.child.pid!
    expect(await engine.stop()).toEqual({ code: 0, signal: null })
    expect(processExists(pid)).toBe(false)
    await expect(call(`${url}/healthz`)).rejects.toThrow()
  })

  it.skipIf(!node20)('prints one line naming the Node it needs when run on Node 20', async () => {
    const bin = path.join(app, 'node_modules/.bin/switchyard')
    // Directly, and through the bin's shebang with Node 20 first on PATH.
    for (const result of [
      await run(node20!, [bin, '--help'], { cwd: app, env }),
      await run(bin, ['--help'], {
        cwd: app,
        env: { ...env, PATH: `${path.dirname(node20!)}:${env.PATH}` },
      }),
    ]) {
      expect(result.code, result.output).toBe(1)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(/^switchyard: needs Node\.js >=22\.12, found v20\.[^\n]*\n$/)
    }
  })
})

/** Each export names a .d.ts and a .js under dist/ that exist; no TypeScript source is shipped. */
function expectPackedExports(name: string, subpaths: string[]) {
  const dir = path.join(app, 'node_modules', name)
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
  expect(Object.keys(manifest.exports)).toEqual(subpaths)
  for (const target of Object.values<Record<string, string>>(manifest.exports)) {
    expect(target.types).toMatch(/^\.\/dist\/.+\.d\.ts$/)
    expect(target.default).toMatch(/^\.\/dist\/.+\.js$/)
    expect(fs.existsSync(path.join(dir, target.types!))).toBe(true)
    expect(fs.existsSync(path.join(dir, target.default!))).toBe(true)
  }
  const files = fs.readdirSync(dir, { recursive: true }) as string[]
  const sources = files.filter((f) => !f.startsWith('node_modules') && /(?<!\.d)\.ts$/.test(f))
  expect(sources).toEqual([])
}

async function expectSdkWorks(node: string, version: string) {
  const result = await run(node, ['sdk-check.mjs', JSON.stringify({ ...signed, vector })], {
    cwd: app,
    env,
  })
  expect(result.code, result.output).toBe(0)
  const seen = JSON.parse(result.stdout)
  expect(seen.node.startsWith(version), seen.node).toBe(true)
  expect(seen.vector).toEqual({ test: 2432232314 })
  expect(seen.event).toEqual(JSON.parse(body))
  expect(seen.tampered).toBe('invalid_signature')
  expect(seen.published).toEqual({ id: 'evt_1', type: 'webhook.test' })
  expect(seen.request).toMatchObject({
    url: 'http://switchyard.test/v1/events',
    method: 'POST',
    body: '{"type":"webhook.test","data":{}}',
  })
  expect(seen.request.headers).toMatchObject({ authorization: 'Bearer sy_test' })
  expect(seen.adapters).toEqual(['function', 'function', 'function'])
}

let bundled: Promise<string> | undefined
/** Builds app/browser-entry.mjs with the repository's Vite; once per file. */
function buildBrowserBundle(): Promise<string> {
  bundled ??= (async () => {
    const vite = path.join(
      path.dirname(createRequire(import.meta.url).resolve('vite/package.json')),
      'bin/vite.js',
    )
    const result = await run(process.execPath, [vite, 'build', '--config', 'vite.config.mjs'], {
      cwd: app,
      env,
    })
    expect(result.code, result.output).toBe(0)
    return path.join(app, 'browser-dist/sdk-browser.js')
  })()
  return bundled
}

/** fetch, bounded: a request the engine never answers fails the test with a reason. */
function call(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(60_000) })
}

/** The app at / and the asset its index.html names: the build packed into dist/dashboard. */
async function expectDashboard(url: string) {
  const page = await call(`${url}/`)
  expect(page.status).toBe(200)
  const html = await page.text()
  const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
  expect(asset, html).toBeDefined()
  expect((await call(url + asset)).status).toBe(200)
}

/** Custom code is compiled, then run, on the sandbox's worker thread (dist/sandbox/worker.js). */
async function expectSandbox(url: string, apiKey: string) {
  const respond = `function respond(request) { return { status: 200, body: request.query.challenge } }`
  const created = await call(`${url}/v1/triggers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      integration: 'custom',
      name: 'event',
      level: 'app',
      response: { code: respond },
    }),
  })
  const trigger = await created.json()
  expect(created.status, JSON.stringify(trigger)).toBe(201)
  const hook = await call(`${url}/hooks/${trigger.id}?challenge=c-42`)
  expect({ status: hook.status, text: await hook.text() }).toEqual({ status: 200, text: 'c-42' })
}
