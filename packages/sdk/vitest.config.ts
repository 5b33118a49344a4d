import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The OpenAPI staleness check and the client tests boot a real server on PGlite (a few seconds).
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
