import { decodeJwt, importSPKI, jwtVerify, type CryptoKey } from 'jose'
import { apiError, isSqlState, sqlState, type ErrorDetail } from '../errors.ts'
import type { Caller } from '../http/auth.ts'
import { findProject, type SettingsExtension } from '../projects/index.ts'
import { type Db, type Tx } from '../store/index.ts'
import {
  audiencesOwnedElsewhere,
  deleteUserTokenKey,
  findUserTokenKey,
  findUserTokenKeysByAudience,
  saveUserTokenKey,
  type UserTokenKeyRow,
} from './user-token-store.ts'

const algorithm = 'RS256'

/**
 * `userTokens` in `GET/PUT /v1/settings`: the RSA public key (PEM, SPKI) that signs the project's
 * user tokens and the audiences they may carry. PUT null removes it (user tokens stop working).
 * An audience names the project a token acts in, so it belongs to one project: one another
 * project owns, or one that names another project's id, answers 409 `audience_taken`.
 * @example settingsExtensions: [userTokenSetting({ now })]
 */
export function userTokenSetting(deps: { now: () => Date }): SettingsExtension {
  return {
    properties: {
      userTokens: {
        type: ['object', 'null'],
        additionalProperties: false,
        required: ['publicKey', 'audiences'],
        properties: {
          publicKey: { type: 'string', minLength: 1, maxLength: 16384 },
          audiences: {
            type: 'array',
            minItems: 1,
            maxItems: 20,
            uniqueItems: true,
            // No blank audience, nor one padded or broken by whitespace: " a" is not "a".
            items: { type: 'string', minLength: 1, maxLength: 500, pattern: '^\\S(.*\\S)?$' },
          },
        },
        description:
          'Connected users call the sync read API with an RS256 JWT signed by this key: sub = user id, aud in audiences.',
      },
    },
    apply: async (tx, projectId, body) => {
      if (!('userTokens' in body)) return
      const value = body.userTokens as { publicKey: string; audiences: string[] } | null
      if (value === null) return deleteUserTokenKey(tx, projectId)
      await importPublicKey(value.publicKey)
      await checkAudiences(tx, projectId, value.audiences)
      await saveUserTokenKey(tx, { projectId, ...value, now: deps.now() }).catch((error) => {
        // Another project saved one of them between the check and now.
        if (isSqlState(error, sqlState.uniqueViolation)) throw apiError('audience_taken')
        throw error
      })
    },
    read: async (q, projectId) => {
      const row = await findUserTokenKey(q, projectId)
      return { userTokens: row ? { publicKey: row.public_key, audiences: row.audiences } : null }
    },
  }
}

/** @throws audience_taken naming each audience another project owns or that names another project */
async function checkAudiences(tx: Tx, projectId: string, audiences: string[]): Promise<void> {
  const taken = new Set(await audiencesOwnedElsewhere(tx, projectId, audiences))
  const details: ErrorDetail[] = []
  for (const [index, audience] of audiences.entries()) {
    const path = `/userTokens/audiences/${index}`
    if (taken.has(audience))
      details.push({ path, message: 'is used by another project; choose another audience' })
    else if (await namesAnotherProject(tx, projectId, audience))
      details.push({ path, message: "names another project's id; use your own project's id" })
  }
  if (details.length > 0) throw apiError('audience_taken', undefined, details)
}

const uuids = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g

/**
 * `<host>/<project id>` is the audience the docs recommend; a project that registers another's
 * (before that one does) would receive the tokens its users are given.
 */
async function namesAnotherProject(tx: Tx, projectId: string, audience: string): Promise<boolean> {
  for (const id of audience.toLowerCase().match(uuids) ?? [])
    if (id !== projectId.toLowerCase() && (await findProject(tx, id))) return true
  return false
}

async function importPublicKey(pem: string): Promise<CryptoKey> {
  try {
    return await importSPKI(pem, algorithm)
  } catch {
    throw apiError('validation_failed', undefined, [
      {
        path: '/userTokens/publicKey',
        message: 'must be an RSA public key in PEM ("-----BEGIN PUBLIC KEY-----")',
      },
    ])
  }
}

/**
 * The user-token authenticator. A token names its project through its audience: each audience
 * belongs to one project, the projects owning one of the token's `aud` values are tried, and the
 * token must verify under exactly one of their keys (RS256 only; `sub` and `exp` required; `exp`
 * and `nbf` checked against the injected clock). None answers null (401 `unauthorized`); more
 * than one (a project registered another's public key and the token lists audiences of both)
 * answers 401 `user_token_ambiguous` instead of picking one.
 * @example authenticators: { userToken: createUserTokenAuthenticator({ db, now }) }
 */
export function createUserTokenAuthenticator(deps: {
  db: Db
  now: () => Date
}): (token: string) => Promise<Caller | null> {
  const keys = new Map<string, Promise<CryptoKey>>()
  const keyFor = (pem: string) => {
    let key = keys.get(pem)
    if (!key) {
      if (keys.size > 1000) keys.clear()
      key = importSPKI(pem, algorithm)
      keys.set(pem, key)
    }
    return key
  }
  const subjectFor = async (token: string, row: UserTokenKeyRow): Promise<string | null> => {
    try {
      const { payload } = await jwtVerify(token, await keyFor(row.public_key), {
        algorithms: [algorithm],
        audience: row.audiences,
        requiredClaims: ['sub', 'exp'],
        currentDate: deps.now(),
      })
      return typeof payload.sub === 'string' && payload.sub.length > 0 ? payload.sub : null
    } catch {
      return null // not this project's token, or expired
    }
  }
  return async (token) => {
    const audiences = audiencesOf(token)
    if (audiences.length === 0) return null
    const callers: Caller[] = []
    for (const row of await findUserTokenKeysByAudience(deps.db.kysely, audiences)) {
      const userId = await subjectFor(token, row)
      if (userId !== null) callers.push({ kind: 'user', projectId: row.project_id, userId })
    }
    if (callers.length > 1) throw apiError('user_token_ambiguous')
    return callers[0] ?? null
  }
}

function audiencesOf(token: string): string[] {
  try {
    const { aud } = decodeJwt(token)
    if (typeof aud === 'string') return [aud]
    return Array.isArray(aud) ? aud.filter((a) => typeof a === 'string').slice(0, 10) : []
  } catch {
    return []
  }
}
