import { withTransaction, type Db, type Queryable } from '../../store/index.ts'
import type { SecretBox } from '../../secrets/index.ts'
import { sealTriggerValues, triggerValueContext } from '../secrets.ts'
import { readTriggerValues, writeTriggerValues } from '../store.ts'
import { safeEqual } from '../verifiers/hmac.ts'
import { takeOpenWindow } from './window-store.ts'

/** Why a handshake's values were not kept: a 4xx the provider sees, and the log's reason. */
export interface KeepRefusal {
  code: 'handshake_not_expected' | 'invalid_handshake'
  message: string
  reason: string
}

// A value a handshake keeps is bounded like a developer token: nothing a provider sends is longer.
const maxValueLength = 8000
const maxKeys = 20

/**
 * Keeps what an unsigned handshake asks to persist (Asana's X-Hook-Secret, Notion's
 * verification_token, custom `respond()` code's `persist`). Such a handshake proves nothing about
 * its sender, and the value it carries verifies every later event; so a value may be established
 * only while none is set for the trigger and credential, or replaced only while the project
 * expects a handshake (an API setup in flight, or a window opened with expect-handshake). Keeping
 * values closes the window. A value the credential would inherit from the whole trigger counts as
 * set: a per-credential value would override it.
 * @returns null when kept, else why not
 * @example await keepHandshakeValues(deps, trigger.id, '', { hookSecret }) // null
 */
export async function keepHandshakeValues(
  deps: { db: Db; box: SecretBox; now: () => Date },
  triggerId: string,
  credentialId: string,
  values: Record<string, string>,
): Promise<KeepRefusal | null> {
  const invalid = invalidValues(values)
  if (invalid) return invalid
  const sealed = await sealTriggerValues(deps.box, triggerId, credentialId, values)
  const keys = Object.keys(values)
  const now = deps.now()
  const scopes = credentialId === '' ? [''] : ['', credentialId]
  const outcome = await withTransaction(deps.db.kysely, async (tx) => {
    const ids = { triggerId, credentialId, sealed, now }
    if (await takeOpenWindow(tx, triggerId, credentialId, now)) {
      await writeTriggerValues(tx, ids)
      return null
    }
    const set = await setKeys(deps.box, tx, { triggerId, scopes, values })
    if (set.differing.length > 0) return set.differing
    const fresh = Object.fromEntries(Object.entries(sealed).filter(([k]) => !set.same.includes(k)))
    const written = await writeTriggerValues(tx, { ...ids, sealed: fresh, keep: true })
    // Another handshake established a key between the read and the write: keep none of these.
    if (written.length < Object.keys(fresh).length) throw new RacedHandshake(keys)
    return null
  }).catch((error: unknown) => {
    if (error instanceof RacedHandshake) return error.keys
    throw error
  })
  return outcome === null ? null : notExpected(triggerId, outcome)
}

/**
 * The keys already set (in any of `scopes`): to another value than the handshake's, or to the
 * same one. The same value again is no change: a provider repeating a handshake whose answer it
 * lost is answered.
 */
async function setKeys(
  box: SecretBox,
  q: Queryable,
  w: { triggerId: string; scopes: string[]; values: Record<string, string> },
): Promise<{ differing: string[]; same: string[] }> {
  const differing = new Set<string>()
  const same = new Set<string>()
  for (const scope of w.scopes) {
    const stored = await readTriggerValues(q, w.triggerId, scope)
    for (const [key, sealed] of Object.entries(stored)) {
      const value = w.values[key]
      if (value === undefined) continue
      const current = await box.open(sealed, triggerValueContext(w.triggerId, scope, key))
      if (safeEqual(current, value)) same.add(key)
      else differing.add(key)
    }
  }
  return { differing: [...differing], same: [...same].filter((k) => !differing.has(k)) }
}

class RacedHandshake extends Error {
  readonly keys: string[]
  constructor(keys: string[]) {
    super('a concurrent handshake set the value first')
    this.keys = keys
  }
}

function notExpected(triggerId: string, keys: string[]): KeepRefusal {
  const names = keys.join(', ')
  return {
    code: 'handshake_not_expected',
    message: `This trigger already has ${names}; a handshake may replace it only while the project expects one. Open a window with POST /v1/triggers/${triggerId}/expect-handshake (or run the API setup), then repeat the provider's setup.`,
    reason: `handshake refused: ${names} already set and no handshake window open`,
  }
}

function invalidValues(values: Record<string, string>): KeepRefusal | null {
  const entries = Object.entries(values)
  const bad =
    entries.length > maxKeys
      ? `more than ${maxKeys} values`
      : entries
          .filter(([k, v]) => k === '' || v.trim() === '' || v.length > maxValueLength)
          .map(([k, v]) => (v.trim() === '' ? `${k || '(no name)'} is empty` : `${k} is too long`))
          .join(', ')
  if (!bad) return null
  return {
    code: 'invalid_handshake',
    message: `The handshake cannot be kept: ${bad}. An empty value would let anyone sign with an empty key.`,
    reason: `handshake refused: ${bad}`,
  }
}
