// Builds a workspace package for `npm pack` / `npm publish` and swaps its manifest for the
// packed one. Run from the package's directory by its prepack/postpack scripts:
//
//   node ../../scripts/pack.ts build      dist/: JavaScript, .d.ts, and src/'s other files
//   node ../../scripts/pack.ts manifest   package.json's exports now name dist/ (a copy is kept)
//   node ../../scripts/pack.ts restore    package.json back as committed (postpack)
//
// Why the packed manifest differs from the repository's: in the repository every consumer of
// a package (Node 24 running the server, Vite, Vitest, tsc) loads its TypeScript source, which
// Node strips as long as the file is not under node_modules (workspace links resolve to
// packages/…). An installed package is under node_modules, where Node refuses to strip types
// (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING) and Node 20 never does, so it must name
// JavaScript. A custom export condition could hold both in one manifest, but Node only honours
// one given by `--conditions` on every `node` command (npm start, the bin, each CLI test, every
// bench script): forgetting it anywhere would run a stale dist/ or fail. Rewriting `exports`
// only for the tarball keeps the repository's package.json the one truth: each "./src/x.ts"
// becomes { types: "./dist/x.d.ts", default: "./dist/x.js" }, derived here, never hand-written.
// npm packs the package.json on disk after prepack; postpack puts the committed one back, and a
// pack that died in between is repaired by the next one (the copy is restored first).
// Publish the tarball (`npm pack`, then `npm publish switchyard-sdk-0.1.0.tgz`): `npm publish`
// in the folder reads package.json again after postpack and would send the registry the
// committed manifest as the version's metadata (the tarball it uploads is right either way).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const packageDir = process.cwd()
const manifestFile = path.join(packageDir, 'package.json')
const backupFile = path.join(packageDir, '.package.json.committed')

type Exports = Record<string, string | Record<string, string>>

/** tsc with tsconfig.build.json into a fresh dist/, then the files tsc does not carry over. */
function build(): void {
  fs.rmSync(path.join(packageDir, 'dist'), { recursive: true, force: true })
  const tsc = createRequire(manifestFile).resolve('typescript/bin/tsc')
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
  rewriteDeclarationImports(path.join(packageDir, 'dist'))
  copyOtherFiles(path.join(packageDir, 'src'), path.join(packageDir, 'dist'))
}

/**
 * tsc rewrites `./x.ts` to `./x.js` in JavaScript but not in declarations
 * (microsoft/TypeScript#61037). TypeScript 5 accepts `.ts` there; older ones and some editors do
 * not, so the published .d.ts files name `.js` like the code beside them.
 */
function rewriteDeclarationImports(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue
    const file = path.join(entry.parentPath, entry.name)
    const text = fs.readFileSync(file, 'utf8')
    const fixed = text.replace(
      /(\bfrom\s+|\bimport\s*\(\s*)(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g,
      '$1$2$3.js$2',
    )
    if (fixed !== text) fs.writeFileSync(file, fixed)
  }
}

/** Files under src/ that are not TypeScript (the server's .sql migrations), read relative to their module. */
function copyOtherFiles(src: string, dist: string): void {
  for (const entry of fs.readdirSync(src, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.endsWith('.ts')) continue
    const from = path.join(entry.parentPath, entry.name)
    const to = path.join(dist, path.relative(src, from))
    fs.mkdirSync(path.dirname(to), { recursive: true })
    fs.copyFileSync(from, to)
  }
}

/** The packed form of one export target: "./src/x.ts" → types and code under dist/. */
function packedTarget(target: string): Record<string, string> {
  const match = /^\.\/src\/(.+)\.ts$/.exec(target)
  if (!match) throw new Error(`pack: export target ${target} is not ./src/….ts`)
  return { types: `./dist/${match[1]}.d.ts`, default: `./dist/${match[1]}.js` }
}

function writePackedManifest(): void {
  restore()
  const text = fs.readFileSync(manifestFile, 'utf8')
  const manifest = JSON.parse(text) as { exports: Record<string, string> } & Record<string, unknown>
  const exports: Exports = {}
  for (const [subpath, target] of Object.entries(manifest.exports))
    exports[subpath] = packedTarget(target)
  const root = exports['.'] as Record<string, string>
  // For resolvers that predate `exports` (TypeScript's moduleResolution "node10").
  const packed = { ...manifest, main: root.default, types: root.types, exports }
  fs.writeFileSync(backupFile, text)
  fs.writeFileSync(manifestFile, JSON.stringify(packed, null, 2) + '\n')
}

function restore(): void {
  if (fs.existsSync(backupFile)) fs.renameSync(backupFile, manifestFile)
}

const steps: Record<string, () => void> = {
  build,
  manifest: writePackedManifest,
  restore,
}
const step = steps[process.argv[2] ?? '']
if (!step) {
  process.stderr.write(`usage: node scripts/pack.ts ${Object.keys(steps).join('|')}\n`)
  process.exit(1)
}
step()
