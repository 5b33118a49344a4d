import { defineConfig } from 'vitest/config'

// One suite, two stores: `DATABASE_URL` switches every test file from PGlite to PostgreSQL.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Kills what a test file spawned and left running (test/helpers/processes.ts).
    setupFiles: ['test/helpers/kill-spawned.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // CI asks for a JSON report too, to print one "N passed, N failed" line over both stores.
    reporters: process.env.SWITCHYARD_TEST_RESULTS
      ? ['default', ['json', { outputFile: `${process.env.SWITCHYARD_TEST_RESULTS}.server.json` }]]
      : ['default'],
  },
})
