import { afterAll } from 'vitest'
import { killSpawned } from './processes.ts'

// A setup file (vitest.config.ts): after each test file's own teardown, whatever it spawned and
// did not stop (a test that failed or timed out before its cleanup) is killed.
afterAll(killSpawned)
