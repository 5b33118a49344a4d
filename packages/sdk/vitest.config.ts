import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The OpenAPI staleness check and the client tests boot a real server on PGlite (a few seconds).
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CI sums every package's JSON report into one "N passed, N failed" line.
    reporters: process.env.SWITCHYARD_TEST_RESULTS
      ? ['default', ['json', { outputFile: `${process.env.SWITCHYARD_TEST_RESULTS}.sdk.json` }]]
      : ['default'],
  },
})
