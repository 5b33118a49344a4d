import dns from 'node:dns'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { maxAnswerBytes } from '../../src/inbound/provider-call.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'

/*
 * API setup calls a URL a project admin wrote: its answer is read no further than 1 MiB, and
 * the connection is checked for private addresses where the socket opens, after the only DNS
 * lookup (before, a lookup at check time and another at connect time let a rebinding name
 * reach the instance's own network).
 */

interface FakeProvider {
  url: string
  port: number
  requests: string[]
  /** Answers whose stream the client destroyed before the provider finished writing it. */
  cutOff: number
  close(): Promise<void>
}

const fiveMiB = 5 * 1024 * 1024

async function startProvider(): Promise<FakeProvider> {
  const provider = { requests: [] as string[], cutOff: 0 }
  const server = http.createServer((req, res) => {
    provider.requests.push(`${req.method} ${req.url}`)
    req.resume()
    if (req.url === '/ok') return res.writeHead(201).end('{"data":{"id":"wh_1"}}')
    // 5 MiB, chunked or declared, written as the client reads it.
    if (req.url === '/declared') res.writeHead(200, { 'content-length': fiveMiB })
    else res.writeHead(200, { 'content-type': 'application/json' })
    const chunk = Buffer.alloc(64 * 1024, 'x')
    let written = 0
    const pump = () => {
      while (written < fiveMiB && !res.destroyed) {
        written += chunk.length
        if (!res.write(chunk)) return res.once('drain', pump)
      }
      res.end()
    }
    res.on('close', () => !res.writableFinished && provider.cutOff++)
    pump()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(provider, {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  })
}

let provider: FakeProvider
// Private targets allowed: the provider is on loopback.
let open: TestServer
// Private targets refused, as in production.
let guarded: TestServer

beforeAll(async () => {
  provider = await startProvider()
  open = await startTestServer({ config: { secretKey: 'provider-call-key' } })
  guarded = await startTestServer({
    config: { secretKey: 'provider-call-key', allowPrivateTargets: false },
  })
})
afterAll(async () => {
  await open?.close()
  await guarded?.close()
  await provider?.close()
})

/** A project with a credential and an API-setup trigger whose subscribe request goes to `url`. */
async function subscribeTo(server: TestServer, url: string) {
  const { apiKey: key } = await server.createProject()
  await server.api('PUT', '/v1/credentials/c1', {
    key,
    body: { userId: 'u', integration: 'p', tokens: { accessToken: 'access-token-0123456789' } },
  })
  const trigger = await server.api('POST', '/v1/triggers', {
    key,
    body: {
      integration: 'p',
      name: 'n',
      level: 'app',
      setup: { mode: 'api', subscribe: { method: 'POST', url, body: { a: 1 } } },
    },
  })
  expect(trigger.status, JSON.stringify(trigger.body)).toBe(201)
  return server.api('POST', `/v1/triggers/${trigger.body.id}/subscriptions`, {
    key,
    body: { credentialId: 'c1' },
  })
}

describe("the provider's answer", () => {
  it('is cut off past 1 MiB, and the setup call fails saying so', async () => {
    const before = provider.cutOff
    const res = await subscribeTo(open, `${provider.url}/chunked`)
    expect(res.status).toBe(502)
    expect(res.body.error.code).toBe('subscription_failed')
    expect(res.body.error.message).toContain(`larger than ${maxAnswerBytes} bytes`)
    // The client destroyed the stream: the provider never got to write the whole answer.
    await waitFor(() => provider.cutOff > before)
  })

  it('is not read at all when its Content-Length is over the bound', async () => {
    const before = provider.cutOff
    const res = await subscribeTo(open, `${provider.url}/declared`)
    expect(res.status).toBe(502)
    expect(res.body.error.message).toContain('larger than')
    await waitFor(() => provider.cutOff > before)
  })

  it('is read whole below the bound', async () => {
    const res = await subscribeTo(open, `${provider.url}/ok`)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
  })
})

describe('private targets', () => {
  it('refuses a name that resolved public at check time and private at connect time', async () => {
    const original = dns.lookup
    // Whatever resolves the name before the connection sees a public address; the socket's
    // own lookup sees loopback, where the provider listens.
    const checkTime = vi
      .spyOn(dns.promises, 'lookup')
      .mockResolvedValue([{ address: '192.0.2.10', family: 4 }] as never)
    const connectTime = vi.spyOn(dns, 'lookup').mockImplementation(((
      host: string,
      options: object,
      callback: (...args: unknown[]) => void,
    ) => {
      if (host !== 'provider.example') return original(host, options as never, callback as never)
      callback(null, [{ address: '127.0.0.1', family: 4 }])
    }) as never)
    try {
      const before = provider.requests.length
      const res = await subscribeTo(guarded, `http://provider.example:${provider.port}/ok`)
      expect(res.status).toBe(502)
      expect(res.body.error.code).toBe('subscription_failed')
      expect(res.body.error.message).toMatch(
        /refused to connect to provider\.example \(127\.0\.0\.1\)/,
      )
      expect(provider.requests.length).toBe(before)
      expect(connectTime).toHaveBeenCalled()
      expect(checkTime).not.toHaveBeenCalled()
    } finally {
      checkTime.mockRestore()
      connectTime.mockRestore()
    }
  })

  it('refuses at connect time a name that resolves to loopback, and sends nothing', async () => {
    const lookup = resolveToLoopback('internal.example')
    try {
      const before = provider.requests.length
      const res = await subscribeTo(guarded, `http://internal.example:${provider.port}/ok`)
      expect(res.status).toBe(502)
      expect(res.body.error.message).toMatch(/refused to connect to internal\.example/)
      expect(lookup).toHaveBeenCalled()
      expect(provider.requests.length).toBe(before)
    } finally {
      lookup.mockRestore()
    }
  })

  it('reaches the same name when SWITCHYARD_ALLOW_PRIVATE_TARGETS is set', async () => {
    const lookup = resolveToLoopback('internal.example')
    try {
      const res = await subscribeTo(open, `http://internal.example:${provider.port}/ok`)
      expect(res.status, JSON.stringify(res.body)).toBe(201)
    } finally {
      lookup.mockRestore()
    }
  })

  it('refuses a private address written in the URL with 400 invalid_url', async () => {
    for (const host of ['127.0.0.1', '[::1]', '[64:ff9b::7f00:1]', '0x7f.1']) {
      const res = await subscribeTo(guarded, `http://${host}:${provider.port}/ok`)
      expect(res.status, host).toBe(400)
      expect(res.body.error.code).toBe('invalid_url')
    }
  })
})

/** Makes `dns.lookup` (the socket's own lookup) answer 127.0.0.1 for `name` alone. */
function resolveToLoopback(name: string) {
  const original = dns.lookup
  return vi.spyOn(dns, 'lookup').mockImplementation(((
    host: string,
    options: object,
    callback: (...args: unknown[]) => void,
  ) => {
    if (host !== name) return original(host, options as never, callback as never)
    const all = (options as { all?: boolean }).all
    if (all) callback(null, [{ address: '127.0.0.1', family: 4 }])
    else callback(null, '127.0.0.1', 4)
  }) as never)
}
