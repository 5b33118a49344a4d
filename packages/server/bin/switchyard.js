#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=1536
// Node 24 runs the TypeScript source directly (type stripping); there is no build step.
// --max-semi-space-size: V8 sizes the young generation from the machine's memory (up to 64 MB
// per semi-space here); ingest's short-lived garbage then kept the process near 420 MB RSS.
// 8 MB holds it near 330 MB and ingests faster (bench/deliver (g), docs/operations.md).
// --max-old-space-size: with an old space of 2 GB or more (Node's default on a machine with
// 8 GB or more) V8 lets it grow to 4x the live heap before a full collection, below that to
// 1.3x-2x; ingest's promoted batches took a ~50 MB live heap to 220 MB. 1536 (a 1.7x factor)
// peaks near 200 MB RSS instead of 300 and still leaves room for 500 in-flight 1 MiB bodies.
import '../src/cli/main.ts'
