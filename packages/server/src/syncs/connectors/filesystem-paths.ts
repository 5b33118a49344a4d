import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'

/**
 * Where the `filesystem` connector may read: below the operator's roots, never in the data dir
 * (credentials.json, secret.key, the embedded database) nor on a kernel pseudo-filesystem. Every
 * check works on real paths (symbolic links and `..` resolved), so a link swapped in after a sync
 * was saved cannot lead out.
 */
export interface PathPolicy {
  /** The roots as configured (resolved) and as real paths: a path may name a root either way. */
  roots: readonly { configured: string; real: string }[]
  /** The data dir as configured; its real path is looked up at each check (it may move). */
  dataDir: string
}

// Their files expose other processes' memory and environment (this one's secret key among them)
// or block forever when read.
const pseudoDirs = ['/proc', '/sys', '/dev']

// Linux statfs f_type of pseudo-filesystems a root may have mounted inside it (bind mounts):
// proc, sysfs, devtmpfs, devpts, debugfs, tracefs, securityfs, cgroup, cgroup2, bpf, configfs,
// efivarfs, pstore, mqueue (linux/magic.h).
const pseudoFsTypes = new Set([
  0x9fa0, 0x62656572, 0x1373, 0x1cd1, 0x64626720, 0x74726163, 0x73636673, 0x27e0eb, 0x63677270,
  0xcafe4a11, 0x62656570, 0xde5e81e4, 0x6165676c, 0x19800202,
])

/** @example within('/srv/a/b', '/srv/a') // true */
export function within(child: string, parent: string): boolean {
  if (parent === path.sep) return true
  return child === parent || child.startsWith(parent + path.sep)
}

/**
 * Checks the operator's roots once, at start-up: each must be an existing directory, not `/`,
 * not on a pseudo-filesystem, not inside the data dir.
 * @throws Error naming the root and what is wrong with it
 * @example const policy = createPathPolicy({ roots: ['/srv/shared'], dataDir: config.dataDir })
 */
export function createPathPolicy(options: {
  roots: readonly string[]
  dataDir: string
}): PathPolicy {
  const dataDir = path.resolve(options.dataDir)
  const roots = options.roots.map((root) => {
    const configured = path.resolve(root)
    let real: string
    try {
      real = fs.realpathSync(configured)
      if (!fs.statSync(real).isDirectory()) throw new Error('not a directory')
    } catch (error) {
      throw new Error(
        `SWITCHYARD_FS_CONNECTOR_ROOTS names ${root}, which is not a directory (${codeOf(error)})`,
        { cause: error },
      )
    }
    if (real === path.sep || isPseudo(real) || within(real, realOrSame(dataDir)))
      throw new Error(
        `SWITCHYARD_FS_CONNECTOR_ROOTS names ${root}; roots may not be /, below /proc, /sys or /dev, or inside the data dir`,
      )
    return { configured, real }
  })
  return { roots, dataDir }
}

/** Where a path really is: inside the roots, outside them, or inside but unreadable. */
export type Resolved =
  { kind: 'inside'; real: string } | { kind: 'outside' } | { kind: 'unreadable'; code: string }

const outside: Resolved = { kind: 'outside' }

/**
 * Resolves `target` to its real path and checks it against the policy. A path that is not
 * inside answers `outside` whether it exists or not: the deepest ancestor that resolves decides,
 * and a component that exists but does not resolve (a dangling or looping link) counts as
 * outside, since it could point anywhere. Only paths inside a root may answer `unreadable`.
 * @example await resolveInside(policy, '/srv/shared/docs') // { kind: 'inside', real: '/srv/shared/docs' }
 */
export async function resolveInside(policy: PathPolicy, target: string): Promise<Resolved> {
  if (!path.isAbsolute(target) || target.includes('\0')) return outside
  const lexical = path.resolve(target)
  // Never touch the disk for a path that is not even written inside a root (no timing oracle).
  if (!policy.roots.some((r) => within(lexical, r.configured) || within(lexical, r.real)))
    return outside
  let current = lexical
  let firstError: string | null = null
  for (;;) {
    try {
      const real = await fsp.realpath(current)
      if (!(await allowed(policy, real))) return outside
      return firstError ? { kind: 'unreadable', code: firstError } : { kind: 'inside', real }
    } catch (error) {
      const stats = await fsp.lstat(current).catch(() => null)
      if (stats?.isSymbolicLink()) return outside
      firstError ??= codeOf(error)
      const parent = path.dirname(current)
      if (parent === current) return outside
      current = parent
    }
  }
}

/**
 * Is this real path inside a root, out of the data dir and off the pseudo-filesystems?
 * @example await allowed(policy, '/srv/shared/docs') // true
 */
export async function allowed(policy: PathPolicy, real: string): Promise<boolean> {
  if (!policy.roots.some((r) => within(real, r.real))) return false
  return !(await hidden(policy, real))
}

/**
 * Paths nothing is read below, even inside a root: the data dir and pseudo-filesystems.
 * @example await hidden(policy, '/srv/shared/.switchyard') // true when that is the data dir
 */
export async function hidden(policy: PathPolicy, real: string): Promise<boolean> {
  if (isPseudo(real)) return true
  const dataDir = policy.dataDir
  if (within(real, dataDir) || within(real, await fsp.realpath(dataDir).catch(() => dataDir)))
    return true
  const stats = await fsp.statfs(real).catch(() => null)
  return stats !== null && pseudoFsTypes.has(stats.type)
}

function isPseudo(real: string): boolean {
  return pseudoDirs.some((dir) => within(real, dir))
}

function realOrSame(dir: string): string {
  try {
    return fs.realpathSync(dir)
  } catch {
    return dir
  }
}

/** @example codeOf(enoent) // 'ENOENT' */
export function codeOf(error: unknown): string {
  return (error as { code?: string } | null)?.code ?? 'unknown error'
}
