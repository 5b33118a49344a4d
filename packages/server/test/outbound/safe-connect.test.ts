import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Agent, request } from 'undici'
import { describe, expect, it } from 'vitest'
import {
  createPublicOnlyConnector,
  isPrivateAddress,
  type Lookup,
} from '../../src/outbound/index.ts'

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    'fec0::1', // site-local
    '::ffff:127.0.0.1',
    '::ffff:8.8.8.8',
    '0:0:0:0:0:ffff:7f00:1',
    '::ffff:0:7f00:1', // IPv4-translated
    // IPv4-compatible (deprecated): refused whatever the IPv4 address
    '::7f00:1',
    '::127.0.0.1',
    '::a9fe:a9fe',
    '::8.8.8.8',
    '0:0:0:0:0:0:a00:1',
    // NAT64 well-known prefix with a private IPv4 address inside
    '64:ff9b::7f00:1',
    '64:ff9b::127.0.0.1',
    '64:ff9b::169.254.169.254',
    '64:ff9b::a00:1',
    // NAT64 local-use prefix: translates into the site's own network
    '64:ff9b:1::808:808',
    '64:ff9b:1:ffff::1',
    // 6to4 with a private IPv4 address
    '2002:7f00:1::',
    '2002:a9fe:a9fe::1',
    '2002:c0a8:101::1',
    // Teredo with a private server or client (inverted) address
    '2001:0:a00:1::',
    '2001:0:4136:e378:8000:63bf:80ff:fffe', // client 127.0.0.1
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true)
  })

  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    // DNS64 answers every IPv4-only host like this on IPv6-only networks.
    '64:ff9b::808:808',
    '64:ff9b::1.1.1.1',
    '2002:808:808::1', // 6to4 of 8.8.8.8
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7', // Teredo, public server and client (8.8.8.8)
    '2001:db8::1',
    '2a00:1450:4001:82b::200e',
  ])('allows %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false)
  })

  it('refuses what is not an address', () => {
    expect(isPrivateAddress('localhost')).toBe(true)
    expect(isPrivateAddress('')).toBe(true)
  })
})

describe('createPublicOnlyConnector', () => {
  it("refuses at connect time a name that resolved public at check time, with the connection's own lookup", async () => {
    const target = http.createServer((_req, res) => res.end('reached'))
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
    const { port } = target.address() as AddressInfo
    const answers = ['203.0.113.7', '127.0.0.1']
    const lookup: Lookup = (_host, _options, callback) =>
      callback(null, [{ address: answers.shift() ?? '127.0.0.1', family: 4 }])
    // A check at save time (or any earlier lookup) sees the public address…
    const checked = await new Promise<string>((resolve) =>
      lookup('rebind.example', { all: true }, (_e, a) => resolve(a[0]!.address)),
    )
    expect(isPrivateAddress(checked)).toBe(false)
    // …and the socket's lookup, the one that counts, sees loopback.
    const agent = new Agent({ connect: createPublicOnlyConnector({ timeoutMs: 2000, lookup }) })
    try {
      await expect(
        request(`http://rebind.example:${port}/`, { dispatcher: agent }),
      ).rejects.toMatchObject({ code: 'ERR_PRIVATE_TARGET' })
    } finally {
      await agent.close()
      await new Promise((resolve) => target.close(resolve))
    }
  })

  it('connects when the lookup answers a public address among private ones', async () => {
    const lookup: Lookup = (_host, _options, callback) =>
      callback(null, [
        { address: '10.0.0.1', family: 4 },
        { address: '64:ff9b::7f00:1', family: 6 },
        { address: '192.0.2.1', family: 4 },
      ])
    const connector = createPublicOnlyConnector({ timeoutMs: 200, lookup })
    const error = await new Promise<Error | null>((resolve) =>
      connector(
        { hostname: 'mixed.example', host: 'mixed.example', protocol: 'http:', port: '9' },
        (err, socket) => {
          socket?.destroy()
          resolve(err)
        },
      ),
    )
    // 192.0.2.1 (TEST-NET) does not answer: a timeout or refusal, never ERR_PRIVATE_TARGET.
    expect((error as { code?: string } | null)?.code).not.toBe('ERR_PRIVATE_TARGET')
  })
})
