#!/usr/bin/env node
// Node 24 runs the TypeScript source directly (type stripping); there is no build step.
import '../src/cli/main.ts'
