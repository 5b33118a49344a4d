import { setFlagsFromString } from 'node:v8'

/*
 * A trigger's `regex` (where to find a signature or timestamp in a header or the body) is the
 * project's own, and it runs on the thread that answers every project's requests, over input
 * anyone can send. With the usual backtracking engine, `^(a+)+$` against a header of 28 "a"s
 * and a "!" held that thread 19 s, and a few more characters hold it for days: one project
 * (or a sender, against a careless one) stalled everyone (issue 24, beside item 4). V8's
 * linear-time engine (the `l` flag, behind this flag) takes time in proportion to the input;
 * it refuses the constructs that need backtracking (backreferences, lookarounds).
 */
setFlagsFromString('--enable-experimental-regexp-engine')

/**
 * A global regex on V8's linear-time engine, or null when `source` cannot run there.
 * @example linearRegExp('v1=([0-9a-f]+)') // matches in time linear in the input
 */
export function linearRegExp(source: string): RegExp | null {
  try {
    // eslint-disable-next-line no-invalid-regexp -- `l` is V8's linear-time engine, enabled above
    return new RegExp(source, 'gl')
  } catch {
    return null
  }
}

/** Why `source` cannot be a trigger's regex, or null when it can. */
export function linearRegExpProblem(source: string): string | null {
  try {
    new RegExp(source, 'g')
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`
  }
  return linearRegExp(source)
    ? null
    : 'must run in linear time: no backreferences, lookahead or lookbehind'
}
