import { Ajv } from 'ajv'
import type { ErrorObject, ValidateFunction } from 'ajv'
import formatsModule from 'ajv-formats'
import { dataSchemas } from './data-schemas.ts'
import { canonicalTypes } from './event-types.ts'
import { bodySchema } from './render.ts'
import type { CanonicalType, ValidationError, ValidationResult, WireFormat } from './types.ts'

// ajv-formats is CommonJS: under Node's ESM interop the default import is `module.exports`,
// which is the plugin itself and also carries it as `.default`; the types only know `.default`.
const addFormats = formatsModule.default

// allErrors: report every bad field at once, so a producer fixes its payload in one round.
// allowUnionTypes: the body schemas say `type: ['string', 'null']` for context fields.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true })
addFormats(ajv, ['date-time', 'uri'])

// Compiled once, at import: 13 small schemas take a few milliseconds.
const dataValidators = new Map<CanonicalType, ValidateFunction>(
  canonicalTypes.map((type) => [type, ajv.compile(dataSchemas[type])]),
)

// Body validators are compiled on first use: only tests and template checks need them.
const bodyValidators = new Map<string, ValidateFunction | null>()

/** Turns one ajv error into a JSON pointer under `prefix` and a message that names no path. */
function toValidationError(error: ErrorObject, prefix: string): ValidationError {
  const path = `${prefix}${error.instancePath}`
  switch (error.keyword) {
    case 'required':
      return { path: `${path}/${String(error.params['missingProperty'])}`, message: 'is required' }
    case 'additionalProperties':
      return {
        path: `${path}/${String(error.params['additionalProperty'])}`,
        message: 'is not allowed',
      }
    default:
      return { path: path === '' ? '/' : path, message: error.message ?? 'is invalid' }
  }
}

function toResult(validate: ValidateFunction, value: unknown, prefix: string): ValidationResult {
  if (validate(value)) return { ok: true }
  const errors = (validate.errors ?? []).map((error) => toValidationError(error, prefix))
  return { ok: false, errors }
}

/**
 * Validates `data` against the type's JSON Schema. Error paths start at `/data`, as in the
 * `POST /v1/events` body.
 *
 * @example
 * validateEventData('record.created', { syncId: 's1', recordId: 'r1' })
 * // { ok: false, errors: [{ path: '/data/model', message: 'is required' }] }
 */
export function validateEventData(type: CanonicalType, data: unknown): ValidationResult {
  const validate = dataValidators.get(type)
  if (validate === undefined) throw new Error(`not a canonical type: ${String(type)}`)
  return toResult(validate, data, '/data')
}

/**
 * Validates a rendered body against its format's body schema (for tests and template
 * checks). Throws when the format has no body for the type: that is a caller's bug.
 *
 * @example
 * const body = { id: 'e1', type: 'webhook.test', timestamp, projectId: 'p1', data: {} }
 * validateWireBody('standard', 'webhook.test', body) // { ok: true }
 */
export function validateWireBody(
  format: WireFormat,
  type: CanonicalType,
  body: unknown,
): ValidationResult {
  const key = `${format} ${type}`
  if (!bodyValidators.has(key)) {
    const schema = bodySchema(format, type)
    bodyValidators.set(key, schema === null ? null : ajv.compile(schema))
  }
  const validate = bodyValidators.get(key)
  if (!validate) throw new Error(`the ${format} format has no body for ${type}`)
  return toResult(validate, body, '')
}
