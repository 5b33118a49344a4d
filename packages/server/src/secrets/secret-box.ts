import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { apiError } from '../errors.ts'

/**
 * Encrypts secrets at rest (credential tokens, trigger values, integration tokens, destination
 * secrets) with AES-256-GCM. The key is derived from SWITCHYARD_SECRET_KEY; the embedded store
 * without one generates `<dataDir>/secret.key` (mode 0600) the first time a secret is stored or
 * read. Sealing always uses the current key; opening also tries SWITCHYARD_PREVIOUS_SECRET_KEYS,
 * so a key can be rotated without downtime (`switchyard secrets rotate-key`).
 */
export interface SecretBox {
  /** `context` binds the ciphertext to its row (project and id), so rows cannot be swapped. */
  seal(plaintext: string, context: string): Promise<string>
  /** @throws secret_key_unknown when neither the current nor a previous key opens it */
  open(sealed: string, context: string): Promise<string>
  /**
   * The value sealed again with the current key, or null when the current key sealed it already.
   * @throws secret_key_unknown when neither the current nor a previous key opens it
   */
  reseal(sealed: string, context: string): Promise<string | null>
}

const version = 'v1.'

// `v1.` + base64 of at least the IV and the tag (28 bytes): a plain value like `v1.2` is not one.
const sealedShape = /^v1\.[A-Za-z0-9+/]{38,}={0,2}$/

/**
 * Whether a stored value is sealed rather than plain text written before sealing (destinations).
 * @example isSealed('whsec_abc') // false
 */
export function isSealed(value: string): boolean {
  return sealedShape.test(value)
}

/**
 * @example const box = createSecretBox({ secretKey: null, dataDir: './.switchyard', embedded: true })
 */
export function createSecretBox(options: {
  secretKey: string | null
  /** Keys that sealed values before the current one; only ever used to open. */
  previousSecretKeys?: readonly string[]
  dataDir: string
  embedded: boolean
}): SecretBox {
  let key: Promise<KeyObject> | null = null
  const keyOnce = () => (key ??= loadKey(options))
  const previous = (options.previousSecretKeys ?? []).map(deriveKey)
  const openAny = async (sealed: string, context: string) => {
    const keys = [await keyOnce(), ...previous]
    for (const [index, candidate] of keys.entries()) {
      const plaintext = tryOpen(candidate, sealed, context)
      if (plaintext !== null) return { plaintext, current: index === 0 }
    }
    throw apiError('secret_key_unknown', undefined, [{ path: context, message: 'does not open' }])
  }
  // Opened values by context and sealed text: /hooks opens its trigger's secrets on every
  // request. A sealed text opens to one plaintext for good, so entries never go stale; the map
  // is cleared when full.
  const opened = new Map<string, string>()
  return {
    seal: async (plaintext, context) => seal(await keyOnce(), plaintext, context),
    open: async (sealed, context) => {
      const id = `${context}\u0000${sealed}`
      let plaintext = opened.get(id)
      if (plaintext === undefined) {
        plaintext = (await openAny(sealed, context)).plaintext
        if (opened.size >= 10_000) opened.clear()
        opened.set(id, plaintext)
      }
      return plaintext
    },
    reseal: async (sealed, context) => {
      const opened = await openAny(sealed, context)
      return opened.current ? null : seal(await keyOnce(), opened.plaintext, context)
    },
  }
}

async function loadKey(options: {
  secretKey: string | null
  dataDir: string
  embedded: boolean
}): Promise<KeyObject> {
  if (options.secretKey) return deriveKey(options.secretKey)
  if (!options.embedded) {
    // Refusing beats generating: each PostgreSQL process would invent a different key.
    throw apiError('secret_key_missing')
  }
  return deriveKey(await readOrCreateKeyFile(path.join(options.dataDir, 'secret.key')))
}

async function readOrCreateKeyFile(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  await fs.mkdir(path.dirname(file), { recursive: true })
  const generated = randomBytes(32).toString('base64url')
  try {
    // 'wx' fails if another start won the race; then its key is the one to use.
    await fs.writeFile(file, generated + '\n', { mode: 0o600, flag: 'wx' })
    return generated
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return (await fs.readFile(file, 'utf8')).trim()
  }
}

// A KeyObject, not a Buffer: each cipher over a Buffer key imports it again (17 µs against
// 3 µs per open, measured), and /hooks opens a trigger's secret on every request.
function deriveKey(secret: string): KeyObject {
  return createSecretKey(
    Buffer.from(hkdfSync('sha256', secret, 'switchyard', 'secrets at rest v1', 32)),
  )
}

function seal(key: KeyObject, plaintext: string, context: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(context))
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return version + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')
}

/**
 * The plaintext, or null when `key` did not seal it (GCM's tag does not match). Trying a wrong
 * key costs one failed tag check, so previous keys need no key id in the sealed prefix.
 */
function tryOpen(key: KeyObject, sealed: string, context: string): string | null {
  if (!sealed.startsWith(version)) throw new Error('unknown secret format')
  const raw = Buffer.from(sealed.slice(version.length), 'base64')
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
  decipher.setAAD(Buffer.from(context))
  decipher.setAuthTag(raw.subarray(12, 28))
  const body = decipher.update(raw.subarray(28))
  try {
    return Buffer.concat([body, decipher.final()]).toString('utf8')
  } catch {
    return null
  }
}
