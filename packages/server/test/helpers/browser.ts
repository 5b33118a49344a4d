import { existsSync } from 'node:fs'

/** Debian's Chromium, driven by playwright-core (no browser download); .ci/run installs it. */
export const chromiumPath = '/usr/bin/chromium'

/**
 * Whether Chromium is here for a `*.browser.test.ts` file's tests (or a test's browser part).
 * Without it they skip, and this prints one line saying what is skipped and how to run it;
 * with `SWITCHYARD_REQUIRE_BROWSER=1` (set by .ci/run) its absence throws instead, so a run
 * that must cover the browser cannot pass by skipping.
 * @example const hasChromium = chromiumPresent('the dashboard browser tests')
 */
export function chromiumPresent(what: string): boolean {
  if (existsSync(chromiumPath)) return true
  const missing = `Chromium is missing at ${chromiumPath}`
  const install = 'apt-get install -y chromium'
  if (process.env.SWITCHYARD_REQUIRE_BROWSER === '1')
    throw new Error(`${missing} and SWITCHYARD_REQUIRE_BROWSER=1: ${what} need it (${install})`)
  console.warn(`skipped: ${what} (${missing}; to run them: ${install})`)
  return false
}
