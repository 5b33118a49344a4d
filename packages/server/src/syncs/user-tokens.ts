import { decodeJwt, importSPKI, jwtVerify, type CryptoKey } from 'jose'
import { apiError } from '../errors.ts'
import type { Caller } from '../http/auth.ts'
import type { SettingsExtension } from '../projects/index.ts'
import type { Db } from '../store/index.ts'
import {
  deleteUserTokenKey,
  findUserTokenKey,
  findUserTokenKeysByAudience,
  upsertUserTokenKey,
} from './store.ts'

const algorithm = 'RS256'

/**
 * `userTokens` in `GET/PUT /v1/settings`: the RSA public key (PEM, SPKI) that signs the project's
 * user tokens and the audiences they may carry. PUT null removes it (user tokens stop working).
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
            items: { type: 'string', minLength: 1, maxLength: 500 },
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
      await upsertUserTokenKey(tx, { projectId, ...value, now: deps.now() })
    },
    read: async (q, projectId) => {
      const row = await findUserTokenKey(q, projectId)
      return { userTokens: row ? { publicKey: row.public_key, audiences: row.audiences } : null }
    },
  }
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
 * The user-token authenticator. A token names its project through its audience: the projects
 * whose `userTokens.audiences` hold one of the token's `aud` values are tried, and the first
 * whose key verifies it wins (RS256 only; `sub` and `exp` required; `exp` and `nbf` checked
 * against the injected clock). Anything else resolves to null (401).
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
  return async (token) => {
    const audiences = audiencesOf(token)
    if (audiences.length === 0) return null
    for (const row of await findUserTokenKeysByAudience(deps.db.kysely, audiences)) {
      try {
        const { payload } = await jwtVerify(token, await keyFor(row.public_key), {
          algorithms: [algorithm],
          audience: row.audiences,
          requiredClaims: ['sub', 'exp'],
          currentDate: deps.now(),
        })
        if (typeof payload.sub === 'string' && payload.sub.length > 0)
          return { kind: 'user', projectId: row.project_id, userId: payload.sub }
      } catch {
        // Not this project's token (or expired): try the next project, else 401.
      }
    }
    return null
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
