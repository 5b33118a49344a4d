import dns from 'node:dns'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createPublicOnlyConnector } from '../../src/outbound/index.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

/*
 * SSRF: with private targets not allowed, every spelling of a private, loopback, link-local,
 * CGNAT, unique-local or IPv4-mapped address is refused at connect time, and a name is
 * resolved once and connected to at the address that was checked (no DNS rebinding window).
 */

let server: TestServer
let receiver: Receiver
let key: string

beforeAll(async () => {
  server = await startTestServer({ config: { allowPrivateTargets: false } })
  receiver = await startReceiver()
  key = (await server.createProject()).apiKey
})
afterAll(async () => {
  await server.close()
  await receiver.close()
})

describe('private targets', () => {
  const port = () => new URL(receiver.url).port
  it.each([
    ['loopback', (p: string) => `http://127.0.0.1:${p}/`],
    ['loopback as a decimal integer', (p: string) => `http://2130706433:${p}/`],
    ['loopback in hex shorthand', (p: string) => `http://0x7f.1:${p}/`],
    ['loopback in octal', (p: string) => `http://0177.0.0.1:${p}/`],
    ['IPv6 loopback', (p: string) => `http://[::1]:${p}/`],
    ['IPv4-mapped IPv6 loopback', (p: string) => `http://[::ffff:127.0.0.1]:${p}/`],
    ['"this host" 0.0.0.0', (p: string) => `http://0.0.0.0:${p}/`],
    ['localhost by name', (p: string) => `http://localhost:${p}/`],
    ['private 10/8', () => 'http://10.0.0.1/'],
    ['private 192.168/16', () => 'http://192.168.0.1/'],
    ['CGNAT 100.64/10', () => 'http://100.64.0.1/'],
    ['link-local metadata', () => 'http://169.254.169.254/latest/meta-data/'],
    ['IPv6 unique-local', () => 'http://[fd00::1]/'],
    ['IPv6 link-local', () => 'http://[fe80::1]/'],
  ])('refuses %s', async (_what, urlFor) => {
    const res = await server.api('POST', '/v1/destinations/test', {
      key,
      body: { url: urlFor(port()), timeoutMs: 2000 },
    })
    if (res.status === 400) {
      // Refused before sending (the URL check): fine, as long as it says why.
      expect(res.body.error.code).toMatch(/^invalid_/)
      return
    }
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ outcome: 'failed', errorClass: 'connect' })
    expect(res.body.errorMessage).toMatch(/refused to connect/)
    expect(receiver.requests).toHaveLength(0)
  })
})

describe('DNS rebinding', () => {
  it('resolves a name once and connects to the address it checked', async () => {
    const { port } = new URL(receiver.url)
    let calls = 0
    // The first answer is public, every later one loopback: a rebinding resolver.
    const lookup = vi.spyOn(dns, 'lookup').mockImplementation(((
      _host: string,
      _options: unknown,
      callback: (e: null, a: { address: string; family: number }[]) => void,
    ) => {
      calls++
      callback(null, [{ address: calls === 1 ? '192.0.2.10' : '127.0.0.1', family: 4 }])
    }) as never)
    try {
      const agent = new Agent({ connect: createPublicOnlyConnector({ timeoutMs: 300 }) })
      await expect(
        request(`http://rebind.example:${port}/`, { dispatcher: agent, headersTimeout: 500 }),
      ).rejects.toThrow()
      await agent.close()
      expect(calls).toBe(1)
      expect(receiver.requests).toHaveLength(0)
    } finally {
      lookup.mockRestore()
    }
  })

  it('refuses a name whose answers are all private, even mixed with nothing public', async () => {
    const lookup = vi.spyOn(dns, 'lookup').mockImplementation(((
      _host: string,
      _options: unknown,
      callback: (e: null, a: { address: string; family: number }[]) => void,
    ) =>
      callback(null, [
        { address: '10.0.0.5', family: 4 },
        { address: '::ffff:127.0.0.1', family: 6 },
      ])) as never)
    try {
      const agent = new Agent({ connect: createPublicOnlyConnector({ timeoutMs: 300 }) })
      await expect(request('http://internal.example/', { dispatcher: agent })).rejects.toThrow(
        /refused to connect/,
      )
      await agent.close()
    } finally {
      lookup.mockRestore()
    }
  })
})
