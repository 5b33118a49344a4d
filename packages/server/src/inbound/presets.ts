import { handshakePresets } from './handshakes/index.ts'
import { hmacPresets, specialVerifiers } from './verifiers/index.ts'

const hmacFields = {
  algorithm: 'sha1 | sha256 | sha512 (default sha256)',
  content:
    'Signed content: {body}, {timestamp}, {id}, {method}, {url}, {query.sorted}, {header.NAME}, {$.json.path}, literals (default {body})',
  signature:
    '{header | query | bodyPath, prefix | regex}: where the signature is; a regex keeps group 1 of every match',
  encoding: 'hex | base64 | base64url (default hex)',
  keyEncoding: 'utf8 | base64 | hex | whsec (default utf8)',
  timestamp:
    '{header | query | bodyPath, prefix | regex, unit: s | ms | rfc3339, toleranceSeconds, direction: past | both}',
  id: '{header | query | bodyPath}: the message id, for {id}',
  secrets:
    'Strings, {"from": "credential", "key"} or {"from": "persisted", "key"}; any one verifying is enough',
}

/**
 * What `GET /v1/trigger-presets` answers: every handshake and verification preset with what it
 * checks and the fields it takes.
 */
export function describePresets() {
  return {
    response: Object.entries(handshakePresets).map(([name, p]) => ({
      name,
      description: p.doc,
      answeredAfterVerification: p.signed,
      fields: p.options ?? {},
      // Values a handshake keeps are replaced only within a window (POST …/expect-handshake).
      keeps: [...(p.persists ?? [])],
    })),
    verification: [
      { name: 'hmac', description: 'Generic HMAC: every field configurable', fields: hmacFields },
      ...Object.entries(hmacPresets).map(([name, p]) => ({
        name,
        description: p.doc,
        fields: {
          secrets: hmacFields.secrets,
          ...(p.scheme.timestamp
            ? {
                toleranceSeconds: `Timestamp tolerance (default ${p.scheme.timestamp.toleranceSeconds ?? 'none'})`,
              }
            : {}),
        },
        ...(p.defaultSecrets ? { defaultSecrets: p.defaultSecrets } : {}),
      })),
      ...Object.entries(specialVerifiers).map(([name, p]) => ({
        name,
        description: p.doc,
        fields: { secrets: hmacFields.secrets, ...p.options },
      })),
      {
        name: 'code',
        description: 'Custom code: function verify(request, ctx) returning true or {valid, reason}',
        fields: { code: 'JavaScript run in QuickJS (50 ms, 16 MB)', secrets: hmacFields.secrets },
      },
    ],
  }
}
