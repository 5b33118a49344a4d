#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=1536
// --max-semi-space-size: V8 sizes the young generation from the machine's memory (up to 64 MB
// per semi-space here); ingest's short-lived garbage then kept the process near 420 MB RSS.
// 8 MB holds it near 330 MB and ingests faster (bench/deliver (g), docs/operations.md).
// --max-old-space-size: with an old space of 2 GB or more (Node's default on a machine with
// 8 GB or more) V8 lets it grow to 4x the live heap before a full collection, below that to
// 1.3x-2x; ingest's promoted batches took a ~50 MB live heap to 220 MB. 1536 (a 1.7x factor)
// peaks near 200 MB RSS instead of 300 and still leaves room for 500 in-flight 1 MiB bodies.
// The flags hold for the installed package too: npm links node_modules/.bin/switchyard to this
// file (the kernel reads the line above; `env -S` is GNU coreutils >= 8.30, macOS and the BSDs)
// and npm's Windows shim reads `env -S` lines itself. Only `node …/switchyard.js` typed by hand
// goes without them (test/packaging/pack.cli.test.ts checks the installed bin's process).
//
// Plain JavaScript that any Node can parse: the version check runs before anything that an old
// Node cannot load, so it prints one line instead of a loader error.
/* global process, URL */
import { existsSync, readFileSync } from 'node:fs'

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const needs = manifest.engines.node // ">=major.minor"
const [major, minor = 0] = needs
  .replace(/^>=\s*/, '')
  .split('.')
  .map(Number)
const [foundMajor, foundMinor] = process.versions.node.split('.').map(Number)
if (foundMajor < major || (foundMajor === major && foundMinor < minor)) {
  process.stderr.write(
    `switchyard: needs Node.js ${needs}, found ${process.version} (${process.execPath}); install Node.js ${major}.${minor} or newer\n`,
  )
  process.exit(1)
}

// The repository runs the TypeScript source (Node 24 strips the types); the published package
// has no src/ and runs the JavaScript that prepack compiled into dist/ (scripts/pack.ts).
const source = new URL('../src/cli/main.ts', import.meta.url)
await import(
  existsSync(source) ? source.href : new URL('../dist/cli/main.js', import.meta.url).href
)
