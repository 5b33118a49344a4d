import dns, { type LookupAddress, type LookupOptions } from 'node:dns'
import { BlockList, isIP } from 'node:net'
import { buildConnector } from 'undici'

/*
 * Targets on private networks are refused where the socket is opened, after DNS: checking the
 * URL when a destination is saved proves nothing, since a name can resolve elsewhere later
 * (DNS rebinding). Node skips `lookup` for IP literals, so the connector checks those itself.
 */

const privateRanges = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, including the cloud metadata service 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const)
  privateRanges.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  privateRanges.addSubnet(network, prefix, 'ipv6')

/**
 * Is this address on a private, loopback, link-local, CGNAT, multicast or reserved network?
 * Every IPv4-mapped IPv6 address (::ffff:a.b.c.d) counts: public DNS has no reason to answer one.
 * @example isPrivateAddress('169.254.169.254') // true
 */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return privateRanges.check(address, 'ipv4')
  if (family !== 6) return true
  // The URL parser writes an IPv6 address in its one canonical form (::ffff:7f00:1).
  const canonical = new URL(`http://[${address}]`).hostname.slice(1, -1)
  return canonical.startsWith('::ffff:') || privateRanges.check(canonical, 'ipv6')
}

/** The error a refused target fails with; the sender classifies it as `connect`. */
export function privateTargetError(host: string, address: string): Error {
  const error = new Error(
    `refused to connect to ${host} (${address}): private, loopback and link-local addresses ` +
      'are not delivery targets unless SWITCHYARD_ALLOW_PRIVATE_TARGETS is set',
  )
  return Object.assign(error, { code: 'ERR_PRIVATE_TARGET' })
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

/** `dns.lookup` that drops private answers, and fails when none is left. */
function publicLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, [])
    const allowed = addresses.filter((a) => !isPrivateAddress(a.address))
    const first = allowed[0]
    if (!first) return callback(privateTargetError(hostname, addresses[0]?.address ?? '?'), [])
    if (options.all) return callback(null, allowed)
    callback(null, first.address, first.family)
  })
}

/**
 * An undici connector that refuses private targets, for `new Agent({ connect })`.
 * @example new Agent({ connect: createPublicOnlyConnector({ timeoutMs: 30_000 }) })
 */
export function createPublicOnlyConnector(options: {
  timeoutMs: number
}): buildConnector.connector {
  const connect = buildConnector({ timeout: options.timeoutMs, lookup: publicLookup as never })
  return (target, callback) => {
    if (isIP(target.hostname) && isPrivateAddress(target.hostname)) {
      callback(privateTargetError(target.hostname, target.hostname), null)
      return
    }
    connect(target, callback)
  }
}
