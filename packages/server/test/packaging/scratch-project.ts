import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { run, type RunOptions } from './processes.ts'

/** The repository root, and its node_modules/.bin (Node 24, tsc, vite) for child processes. */
export const repoRoot = path.resolve(import.meta.dirname, '../../../..')
export const repoBin = path.join(repoRoot, 'node_modules/.bin')

/** What child processes get: Node 24 first on PATH, nothing of this run's npm or database. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${repoBin}:${process.env.PATH}`,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    npm_config_update_notifier: 'false',
    ...extra,
  }
}

const skipped = new Set(['node_modules', 'dist', '.switchyard', 'test-results'])

/**
 * Copies the workspace's sources to `dir` and links each node_modules to the repository's, so
 * `npm pack` there runs the real prepack (tsc, vite) while the repository's package.json files,
 * which prepack swaps for the packed ones, stay untouched under the tests running beside this.
 */
export function copyWorkspace(dir: string): void {
  for (const name of ['package.json', 'scripts']) copy(name)
  for (const pkg of fs.readdirSync(path.join(repoRoot, 'packages'))) copy(`packages/${pkg}`)
  function copy(relative: string): void {
    fs.cpSync(path.join(repoRoot, relative), path.join(dir, relative), {
      recursive: true,
      filter: (from) => !skipped.has(path.basename(from)),
    })
    const modules = path.join(repoRoot, relative, 'node_modules')
    if (relative !== 'scripts' && fs.existsSync(modules))
      fs.symlinkSync(modules, path.join(dir, relative, 'node_modules'))
  }
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'))
}

/** `npm pack` of one workspace package of the copy into `dest`; resolves with the tarball's path. */
export async function pack(packageDir: string, dest: string, options: RunOptions): Promise<string> {
  const result = await run('npm', ['pack', '--json', '--pack-destination', dest], {
    ...options,
    cwd: packageDir,
  })
  if (result.code !== 0) throw new Error(`npm pack in ${packageDir} failed:\n${result.output}`)
  const [{ filename }] = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as [
    { filename: string },
  ]
  return path.join(dest, filename)
}

type LockEntry = Record<string, unknown> & {
  version?: string
  link?: boolean
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

/**
 * A package.json and package-lock.json for an app that depends on the tarballs, with every
 * other package at the version the repository's lockfile holds. npm 11 resolves a dependency
 * that no lockfile names from the registry's full metadata, which an install from a lockfile
 * never downloads, so the npm cache of this machine cannot serve it offline; with a lockfile
 * `npm ci --offline` needs only what the repository's own install cached.
 */
export function writeScratchProject(appDir: string, tarballs: Map<string, string>): void {
  const repoLock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8'))
  const repo: Record<string, LockEntry> = repoLock.packages
  const packages: Record<string, LockEntry> = {}
  const dependencies: Record<string, string> = {}
  for (const [name, tarball] of tarballs) {
    const spec = `file:${path.relative(appDir, tarball)}`
    dependencies[name] = spec
    const manifest = packedManifest(tarball)
    packages[`node_modules/${name}`] = {
      ...pick(manifest, ['version', 'license', 'bin', 'engines', 'dependencies']),
      ...pick(manifest, ['peerDependencies', 'peerDependenciesMeta']),
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`,
    }
  }
  // Each dependency of the packed packages, found the way Node finds it from where the
  // repository installed it for, and placed at the same spot under the app: what the repository
  // nests in packages/server/node_modules goes to node_modules/switchyard/node_modules.
  const places = new Map(
    [...tarballs.keys()].map((n) => [repoPathOf(repo, n), `node_modules/${n}`]),
  )
  const placeOf = (found: string) => {
    for (const [workspace, place] of places)
      if (found.startsWith(`${workspace}/`)) return place + found.slice(workspace.length)
    return found
  }
  const queue = [...places].map(([from, to]) => ({ from, entry: packages[to]! }))
  for (let item = queue.shift(); item; item = queue.shift()) {
    for (const dep of requiredDependencies(item.entry)) {
      if (tarballs.has(dep)) continue
      const found = resolveInLock(repo, item.from, dep)
      if (!found) throw new Error(`${dep} (needed by ${item.from}) is not in package-lock.json`)
      if (packages[placeOf(found)]) continue
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = repo[found]!
      packages[placeOf(found)] = entry
      queue.push({ from: found, entry })
    }
  }
  const root = { name: 'scratch-app', version: '0.0.0', private: true, dependencies }
  const lock = { name: root.name, version: root.version, lockfileVersion: 3, requires: true }
  fs.writeFileSync(
    path.join(appDir, 'package.json'),
    JSON.stringify({ ...root, type: 'module' }, null, 2),
  )
  fs.writeFileSync(
    path.join(appDir, 'package-lock.json'),
    JSON.stringify({ ...lock, packages: { '': root, ...packages } }, null, 2),
  )
}

function packedManifest(tarball: string): Record<string, unknown> {
  return JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
  )
}

function pick(from: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]))
}

function requiredDependencies(entry: LockEntry): string[] {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter(
    (name) => !entry.peerDependenciesMeta?.[name]?.optional,
  )
  return [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...peers,
  ]
}

/** The workspace folder a package of this repository lives in (`packages/server`). */
function repoPathOf(repo: Record<string, LockEntry>, name: string): string {
  const entry = repo[`node_modules/${name}`]
  if (!entry?.link) throw new Error(`${name} is not a workspace package`)
  return entry.resolved as string
}

/** Node's lookup: `from`/node_modules/dep, then each enclosing node_modules up to the root. */
function resolveInLock(
  repo: Record<string, LockEntry>,
  from: string,
  dep: string,
): string | undefined {
  for (let dir = from; ;) {
    const candidate = dir ? `${dir}/node_modules/${dep}` : `node_modules/${dep}`
    if (repo[candidate]) return candidate
    if (!dir) return undefined
    const at = dir.lastIndexOf('/node_modules/')
    dir = at === -1 ? '' : dir.slice(0, at)
  }
}
