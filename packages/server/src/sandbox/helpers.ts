import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten'

type Encoding = 'hex' | 'base64' | 'base64url'
const algorithms = new Set(['sha1', 'sha256', 'sha512'])
const encodings = new Set(['hex', 'base64', 'base64url'])

/**
 * The host functions custom code may call. Each takes and returns plain strings, so nothing of
 * the host (no Buffer, no object with prototype) crosses into the sandbox.
 */
const helpers: Record<string, (...args: unknown[]) => string | boolean> = {
  /** hmac('sha256', key, data, 'hex' | 'base64', keyEncoding = 'utf8') */
  hmac: (algorithm, key, data, encoding = 'hex', keyEncoding = 'utf8') =>
    createHmac(checkAlgorithm(algorithm), Buffer.from(String(key), checkKeyEncoding(keyEncoding)))
      .update(String(data))
      .digest(checkEncoding(encoding)),
  /** sha256(data, 'hex' | 'base64') */
  sha256: (data, encoding = 'hex') =>
    createHash('sha256').update(String(data)).digest(checkEncoding(encoding)),
  /** base64(text): the base64 of the UTF-8 bytes */
  base64: (text) => Buffer.from(String(text)).toString('base64'),
  /** base64Decode(b64): the UTF-8 text */
  base64Decode: (b64) => Buffer.from(String(b64), 'base64').toString('utf8'),
  /** hex(text): the hex of the UTF-8 bytes */
  hex: (text) => Buffer.from(String(text)).toString('hex'),
  /** timingSafeEqual(a, b): constant-time string comparison */
  timingSafeEqual: (a, b) => {
    const left = Buffer.from(String(a))
    const right = Buffer.from(String(b))
    return left.length === right.length && timingSafeEqual(left, right)
  },
}

/** Defines every helper as a global function of `vm`. */
export function injectHelpers(vm: QuickJSContext): void {
  for (const [name, fn] of Object.entries(helpers)) {
    const handle = vm.newFunction(name, (...args: QuickJSHandle[]) => {
      const value = fn(...args.map((arg) => vm.dump(arg)))
      return typeof value === 'boolean' ? (value ? vm.true : vm.false) : vm.newString(value)
    })
    vm.setProp(vm.global, name, handle)
    handle.dispose()
  }
}

export const helperNames = Object.keys(helpers)

function checkAlgorithm(value: unknown): string {
  if (typeof value !== 'string' || !algorithms.has(value))
    throw new Error('hmac algorithm must be sha1, sha256 or sha512')
  return value
}

function checkEncoding(value: unknown): Encoding {
  if (typeof value !== 'string' || !encodings.has(value))
    throw new Error('encoding must be hex, base64 or base64url')
  return value as Encoding
}

function checkKeyEncoding(value: unknown): BufferEncoding {
  if (value !== 'utf8' && !encodings.has(String(value)))
    throw new Error('key encoding must be utf8, hex, base64 or base64url')
  return value as BufferEncoding
}
