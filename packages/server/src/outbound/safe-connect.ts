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
  ['::', 96], // unspecified, loopback, and IPv4-compatible ::a.b.c.d (deprecated: RFC 4291)
  ['::ffff:0:0:0', 96], // IPv4-translated (SIIT, RFC 2765)
  ['64:ff9b:1::', 48], // NAT64 for local use (RFC 8215): translates into the site's own network
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed inside some networks)
  ['ff00::', 8], // multicast
] as const)
  privateRanges.addSubnet(network, prefix, 'ipv6')

/**
 * Is this address on a private, loopback, link-local, CGNAT, multicast or reserved network?
 * Every IPv4-mapped IPv6 address (::ffff:a.b.c.d) counts, and every IPv4-compatible one
 * (::a.b.c.d): public DNS has no reason to answer either. Addresses that carry an IPv4 address
 * to a gateway count when that IPv4 address does: NAT64 (64:ff9b::/96, which DNS64 answers for
 * every IPv4-only host, so refusing all of it would break IPv6-only deployments), 6to4
 * (2002::/16) and Teredo (2001::/32, its server and its client address).
 * @example isPrivateAddress('169.254.169.254') // true
 */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return privateRanges.check(address, 'ipv4')
  if (family !== 6) return true
  // The URL parser writes an IPv6 address in its one canonical form (::ffff:7f00:1).
  const canonical = new URL(`http://[${address}]`).hostname.slice(1, -1)
  if (canonical.startsWith('::ffff:') || privateRanges.check(canonical, 'ipv6')) return true
  return embeddedIpv4(canonical).some((v4) => privateRanges.check(v4, 'ipv4'))
}

// The IPv4 addresses a gateway would send to for this IPv6 address (none for a plain one).
function embeddedIpv4(canonical: string): string[] {
  const x = hextets(canonical)
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
  if (x[0] === 0x64 && x[1] === 0xff9b && x.slice(2, 6).every((h) => h === 0))
    return [v4(x[6]!, x[7]!)]
  if (x[0] === 0x2002) return [v4(x[1]!, x[2]!)]
  // Teredo: 2001:0:server:flags:port:client, the client's address and port inverted.
  if (x[0] === 0x2001 && x[1] === 0) return [v4(x[2]!, x[3]!), v4(x[6]! ^ 0xffff, x[7]! ^ 0xffff)]
  return []
}

// The eight 16-bit groups of a canonical IPv6 address (no dotted tail: the URL parser removes it).
function hextets(canonical: string): number[] {
  const [head = '', tail] = canonical.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length
  return [...left, ...Array<string>(zeros).fill('0'), ...right].map((h) => parseInt(h, 16))
}

/** The error a refused target fails with; the sender classifies it as `connect`. */
export function privateTargetError(host: string, address: string): Error {
  const error = new Error(
    `refused to connect to ${host} (${address}): private, loopback and link-local addresses ` +
      'are not outbound targets unless SWITCHYARD_ALLOW_PRIVATE_TARGETS is set',
  )
  return Object.assign(error, { code: 'ERR_PRIVATE_TARGET' })
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

/** `dns.lookup`'s callback form: what the connector resolves names with. */
export type Lookup = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void

/** A `lookup` for the socket that drops private answers, and fails when none is left. */
function publicLookup(resolve: Lookup) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, [])
      const allowed = addresses.filter((a) => !isPrivateAddress(a.address))
      const first = allowed[0]
      if (!first) return callback(privateTargetError(hostname, addresses[0]?.address ?? '?'), [])
      if (options.all) return callback(null, allowed)
      callback(null, first.address, first.family)
    })
  }
}

/**
 * An undici connector that refuses private targets, for `new Agent({ connect })`. The name is
 * resolved once, where the socket is opened, and the socket connects to an address that was
 * checked: there is no earlier resolution whose answer could differ (DNS rebinding).
 * `lookup` replaces `dns.lookup` (tests).
 * @example new Agent({ connect: createPublicOnlyConnector({ timeoutMs: 30_000 }) })
 */
export function createPublicOnlyConnector(options: {
  timeoutMs: number
  lookup?: Lookup
}): buildConnector.connector {
  // `dns.lookup` is read per call, so a test's spy on it still applies.
  const resolve: Lookup = options.lookup ?? ((host, opts, cb) => dns.lookup(host, opts, cb))
  const connect = buildConnector({
    timeout: options.timeoutMs,
    lookup: publicLookup(resolve) as never,
  })
  return (target, callback) => {
    if (isIP(target.hostname) && isPrivateAddress(target.hostname)) {
      callback(privateTargetError(target.hostname, target.hostname), null)
      return
    }
    connect(target, callback)
  }
}

/**
 * The address to open a non-HTTP connection to (a message broker): the host itself when private
 * targets are allowed, else its first public address. The client then connects to that address,
 * not the name, so no later resolution can point it elsewhere (DNS rebinding), as with webhooks.
 * @throws the private-target error (code ERR_PRIVATE_TARGET) when only private addresses answer
 * @example const address = await connectAddress('broker.example.com', { allowPrivateTargets: false })
 */
export async function connectAddress(
  host: string,
  options: { allowPrivateTargets: boolean; lookup?: Lookup },
): Promise<string> {
  if (options.allowPrivateTargets) return host
  const bare = host.startsWith('[') ? host.slice(1, -1) : host
  if (isIP(bare)) {
    if (isPrivateAddress(bare)) throw privateTargetError(host, bare)
    return bare
  }
  const resolve: Lookup = options.lookup ?? ((h, opts, cb) => dns.lookup(h, opts, cb))
  const addresses = await new Promise<LookupAddress[]>((done, fail) =>
    resolve(bare, { all: true }, (error, found) => (error ? fail(error) : done(found))),
  )
  const allowed = addresses.find((a) => !isPrivateAddress(a.address))
  if (!allowed) throw privateTargetError(host, addresses[0]?.address ?? '?')
  return allowed.address
}
