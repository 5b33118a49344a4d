import { apiError, type ErrorDetail } from '../errors.ts'
import { checkSandboxCode } from '../sandbox/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { answerProblems, handshakePresets } from './handshakes/index.ts'
import { integrationTokenRefs, missingTokenDetails } from './integration-refs.ts'
import { linearRegExpProblem } from './linear-regex.ts'
import { triggerSecretContext } from './secrets.ts'
import type {
  HmacScheme,
  RedactConfig,
  ResponseConfig,
  RoutingConfig,
  SecretRef,
  SetupConfig,
  StoredSecretRef,
  TriggerRow,
  ValueSource,
  VerificationConfig,
} from './types.ts'
import {
  contentTokenProblem,
  contentTokens,
  hmacPresets,
  specialVerifiers,
} from './verifiers/index.ts'
import { hasSecret, literalSecretProblem } from './verifiers/secret-checks.ts'
import { normalizeRedact } from './redaction.ts'
import { jsonPathProblem } from './values.ts'

/** A trigger as the API takes it (`POST /v1/triggers`). */
export interface TriggerIn {
  integration: string
  name: string
  level: 'user' | 'app'
  setup?: SetupConfig
  response?: string | (ResponseConfig & Record<string, unknown>) | null
  verification?:
    ({ preset?: string; code?: string; secrets?: SecretRef[] } & Record<string, unknown>) | null
  routing?: RoutingConfig | null
  bodyLimitBytes?: number
  invalidCredentials?: 'deliver' | 'hold'
  redact?: RedactConfig | null
}

export type TriggerFields = Omit<TriggerRow, 'created_at' | 'updated_at'>

const responseKeys = new Set(['preset', 'code', 'status', 'headers', 'body'])
const verificationKeys = new Set(['preset', 'code', 'secrets'])

/**
 * Checks a trigger definition beyond its JSON Schema (preset names, JSONPaths, regexes, custom
 * code that compiles, developer tokens that exist) and seals its literal secrets.
 * @param deps.tokenNames the developer tokens of the trigger's integration
 * @throws invalid_trigger with one detail per fault
 */
export async function normalizeTrigger(
  input: TriggerIn,
  ids: { id: string; projectId: string },
  deps: { box: SecretBox; tokenNames: readonly string[] },
): Promise<TriggerFields> {
  const details: ErrorDetail[] = []
  const response = normalizeResponse(input.response ?? null, details)
  if (response?.code !== undefined)
    await checkCode(response.code, 'respond', '/response/code', details, ids.projectId)
  const verification = input.verification
    ? checkVerification(input.verification, input.level, details)
    : null
  if (verification && 'code' in verification)
    await checkCode(verification.code, 'verify', '/verification/code', details, ids.projectId)
  if (
    response?.preset &&
    handshakePresets[response.preset]?.needsSecret &&
    !hasSecret(verification)
  )
    details.push({
      path: '/response/preset',
      message: `"${response.preset}" answers with an HMAC of the verification secret; give verification a secret`,
    })
  if (input.routing) checkRouting(input.routing, input.level, details)
  if (input.setup) checkSetup(input.setup, input.level, details)
  const setup = input.setup ?? { mode: 'manual' }
  const refs = integrationTokenRefs({ setup, response, verification })
  details.push(...missingTokenDetails(refs, deps.tokenNames, input.integration))
  if (details.length > 0) throw apiError('invalid_trigger', undefined, details)
  return {
    id: ids.id,
    project_id: ids.projectId,
    integration: input.integration,
    name: input.name,
    level: input.level,
    setup,
    response,
    verification: verification && (await sealSecrets(verification, ids.id, deps.box)),
    routing: input.routing ?? null,
    body_limit_bytes: input.bodyLimitBytes ?? 1024 * 1024,
    invalid_credentials: input.invalidCredentials ?? 'deliver',
    redact: normalizeRedact(input.redact),
  }
}

function normalizeResponse(
  response: TriggerIn['response'],
  details: ErrorDetail[],
): ResponseConfig | null {
  if (response === null || response === undefined) return null
  const config: ResponseConfig & Record<string, unknown> =
    typeof response === 'string' ? { preset: response } : { ...response }
  const options = Object.fromEntries(Object.entries(config).filter(([k]) => !responseKeys.has(k)))
  if (config.preset !== undefined && !handshakePresets[config.preset])
    details.push({
      path: '/response/preset',
      message: `unknown handshake preset "${config.preset}"; GET /v1/trigger-presets lists them`,
    })
  if (config.code !== undefined && config.preset !== undefined)
    details.push({ path: '/response', message: 'give either preset or code, not both' })
  for (const problem of answerProblems(config))
    details.push({ path: `/response${problem.path}`, message: problem.message })
  for (const option of Object.keys(handshakePresets[config.preset ?? '']?.options ?? {}))
    if (typeof options[option] === 'string' && options[option].trim() === '')
      details.push({ path: `/response/${option}`, message: 'must not be empty' })
  const { preset, code, status, headers, body } = config
  return dropUndefined({
    preset,
    code,
    status,
    headers,
    body,
    options: Object.keys(options).length > 0 ? options : undefined,
  })
}

function checkVerification(
  input: NonNullable<TriggerIn['verification']>,
  level: 'user' | 'app',
  details: ErrorDetail[],
): VerificationConfig | null {
  const secrets = (input.secrets ?? []) as SecretRef[]
  secrets.forEach((ref, i) => {
    const path = `/verification/secrets/${i}`
    if (typeof ref === 'object' && ref.from === 'credential' && level === 'app')
      details.push({
        path,
        message: 'credential secrets need a user-level trigger (?id= names the credential)',
      })
    const problem = literalSecretProblem(ref, input)
    if (problem) details.push({ path, message: problem })
  })
  if (typeof input.code === 'string')
    return { code: input.code, secrets: secrets as StoredSecretRef[] }
  const preset = input.preset
  if (preset === 'hmac') return checkHmac(input as unknown as HmacScheme, secrets, details)
  if (!preset || (!hmacPresets[preset] && !specialVerifiers[preset])) {
    details.push({
      path: '/verification/preset',
      message: `unknown verification preset "${preset ?? ''}"; GET /v1/trigger-presets lists them`,
    })
    return null
  }
  if (secrets.length === 0 && !hmacPresets[preset]?.defaultSecrets)
    details.push({ path: '/verification/secrets', message: 'needs at least one secret' })
  const options = Object.fromEntries(
    Object.entries(input).filter(([k]) => !verificationKeys.has(k)),
  )
  return { preset, secrets: secrets as StoredSecretRef[], options }
}

function checkHmac(
  input: HmacScheme,
  secrets: SecretRef[],
  details: ErrorDetail[],
): VerificationConfig {
  const scheme: HmacScheme = {
    algorithm: input.algorithm ?? 'sha256',
    content: input.content ?? '{body}',
    signature: input.signature,
    encoding: input.encoding ?? 'hex',
    keyEncoding: input.keyEncoding ?? 'utf8',
    ...(input.timestamp ? { timestamp: input.timestamp } : {}),
    ...(input.id ? { id: input.id } : {}),
  }
  if (!scheme.signature)
    details.push({ path: '/verification/signature', message: 'is required for the hmac preset' })
  else checkSource(scheme.signature, '/verification/signature', details)
  if (scheme.timestamp) checkSource(scheme.timestamp, '/verification/timestamp', details)
  if (scheme.id) checkSource(scheme.id, '/verification/id', details)
  for (const match of scheme.content.matchAll(contentTokens)) {
    const problem = contentTokenProblem(match[1]!)
    if (problem) details.push({ path: '/verification/content', message: problem })
  }
  if (secrets.length === 0)
    details.push({ path: '/verification/secrets', message: 'needs at least one secret' })
  return { preset: 'hmac', secrets: secrets as StoredSecretRef[], ...scheme }
}

function checkSource(source: ValueSource, path: string, details: ErrorDetail[]): void {
  const given = ['header', 'query', 'bodyPath'].filter((k) => k in source)
  if (given.length !== 1)
    details.push({ path, message: 'needs exactly one of header, query or bodyPath' })
  if (source.bodyPath !== undefined) {
    const problem = jsonPathProblem(source.bodyPath)
    if (problem) details.push({ path: `${path}/bodyPath`, message: problem })
  }
  const regexProblem = source.regex === undefined ? null : linearRegExpProblem(source.regex)
  if (regexProblem) details.push({ path: `${path}/regex`, message: regexProblem })
}

function checkRouting(routing: RoutingConfig, level: 'user' | 'app', details: ErrorDetail[]): void {
  if (level === 'user')
    details.push({ path: '/routing', message: 'user-level triggers route by ?id=; remove routing' })
  const sources = [routing, ...(routing.fallbacks ?? [])]
  sources.forEach((source, i) => {
    const problem = jsonPathProblem(source.path)
    if (problem)
      details.push({
        path: i === 0 ? '/routing/path' : `/routing/fallbacks/${i - 1}/path`,
        message: problem,
      })
  })
  if (routing.split !== undefined) {
    const problem = jsonPathProblem(routing.split)
    if (problem) details.push({ path: '/routing/split', message: problem })
  }
}

function checkSetup(setup: SetupConfig, level: 'user' | 'app', details: ErrorDetail[]): void {
  if (setup.mode === 'api' && !setup.subscribe)
    details.push({ path: '/setup/subscribe', message: 'is required when setup.mode is "api"' })
  if (setup.autoSubscribe && (setup.mode !== 'api' || level !== 'user'))
    details.push({
      path: '/setup/autoSubscribe',
      message: 'needs a user-level trigger with setup.mode "api" (it subscribes each credential)',
    })
  for (const [name, path] of Object.entries(setup.subscribe?.persist ?? {})) {
    const problem = jsonPathProblem(path)
    if (problem) details.push({ path: `/setup/subscribe/persist/${name}`, message: problem })
  }
}

async function checkCode(
  code: string,
  entry: string,
  path: string,
  details: ErrorDetail[],
  tenant: string,
): Promise<void> {
  const check = await checkSandboxCode(code, entry, { tenant })
  if (check.ok) return
  // Not a fault of the code: the project's sandbox queue is full (its /hooks answer 503 too).
  if (check.retryAfterSeconds !== undefined)
    throw apiError('sandbox_busy', undefined, { retryAfterSeconds: check.retryAfterSeconds })
  details.push({ path, message: check.error })
}

async function sealSecrets(
  config: VerificationConfig,
  triggerId: string,
  box: SecretBox,
): Promise<VerificationConfig> {
  const secrets = await Promise.all(
    (config.secrets as (StoredSecretRef | string)[]).map(async (ref) =>
      typeof ref === 'string'
        ? { sealed: await box.seal(ref, triggerSecretContext(triggerId)) }
        : ref,
    ),
  )
  return { ...config, secrets }
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
