#!/usr/bin/env -S node --max-semi-space-size=8
// Node 24 runs the TypeScript source directly (type stripping); there is no build step.
// --max-semi-space-size: V8 sizes the young generation from the machine's memory (up to 64 MB
// per semi-space here); ingest's short-lived garbage then kept the process near 420 MB RSS.
// 8 MB holds it near 330 MB and ingests faster (bench/deliver (g), docs/operations.md).
import '../src/cli/main.ts'
