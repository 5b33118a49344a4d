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
 * Encrypts secrets at rest (credential tokens, persisted trigger values) with AES-256-GCM.
 * The key is derived from SWITCHYARD_SECRET_KEY; the embedded store without one generates
 * `<dataDir>/secret.key` (mode 0600) the first time a secret is stored or read.
 */
export interface SecretBox {
  /** `context` binds the ciphertext to its row (project and id), so rows cannot be swapped. */
  seal(plaintext: string, context: string): Promise<string>
  open(sealed: string, context: string): Promise<string>
}

const version = 'v1.'

/**
 * @example const box = createSecretBox({ secretKey: null, dataDir: './.switchyard', embedded: true })
 */
export function createSecretBox(options: {
  secretKey: string | null
  dataDir: string
  embedded: boolean
}): SecretBox {
  let key: Promise<KeyObject> | null = null
  const keyOnce = () => (key ??= loadKey(options))
  return {
    seal: async (plaintext, context) => seal(await keyOnce(), plaintext, context),
    open: async (sealed, context) => open(await keyOnce(), sealed, context),
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

function open(key: KeyObject, sealed: string, context: string): string {
  if (!sealed.startsWith(version)) throw new Error('unknown secret format')
  const raw = Buffer.from(sealed.slice(version.length), 'base64')
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
  decipher.setAAD(Buffer.from(context))
  decipher.setAuthTag(raw.subarray(12, 28))
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
}
