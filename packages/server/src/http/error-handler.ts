import type { FastifyError, FastifyInstance } from 'fastify'
import { ApiError, apiError, isSqlState, sqlState, type ErrorCode } from '../errors.ts'
import { ajvErrorDetails } from './validation.ts'

// Fastify's own error codes, mapped onto the catalogue.
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_json',
}

/**
 * The body of every failure, `{"error":{"code","message","details"?}}`: the shared schema
 * (`ApiError` in /openapi.json) every documented route answers its 4xx and 5xx with.
 */
export const apiErrorSchema = {
  $id: 'ApiError',
  description: 'The request failed: see error.code in docs/errors.md.',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'A code of docs/errors.md.' },
        message: { type: 'string' },
        details: { description: 'Per-code details, e.g. the failing fields of a validation.' },
      },
    },
  },
} as const

/**
 * Every failure leaves as `{"error":{"code","message","details"?}}`; every documented route
 * says so in its 4xx and 5xx responses (the shared `ApiError` schema).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.addSchema(apiErrorSchema)
  app.addHook('onRoute', (route) => {
    const schema = route.schema as
      { hide?: boolean; response?: Record<string, unknown> } | undefined
    if (!schema || schema.hide) return
    const response = (schema.response ??= {})
    response['4xx'] ??= { $ref: 'ApiError#' }
    response['5xx'] ??= { $ref: 'ApiError#' }
  })
  app.setErrorHandler((raw: FastifyError | ApiError, request, reply) => {
    let error = toApiError(raw)
    if (error.code === 'payload_too_large' && !(raw instanceof ApiError)) {
      const limit = request.routeOptions.bodyLimit
      if (limit)
        error = apiError(
          'payload_too_large',
          `The body is larger than this route's limit (${limit} bytes); send less per request.`,
        )
    }
    if (error.status >= 500) request.log.error({ err: raw }, 'request failed')
    const body: { code: string; message: string; details?: unknown } = {
      code: error.code,
      message: error.message,
    }
    if (error.details !== undefined) body.details = error.details
    // The store is down or restarting: say so, and when to come back, instead of a bare 500.
    if (error.code === 'store_unavailable') void reply.header('retry-after', '1')
    // Rate limits and a busy /hooks say when to come back in the details.
    const retryAfter = (error.details as { retryAfterSeconds?: unknown } | undefined)
      ?.retryAfterSeconds
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter))
    return reply.status(error.status).send({ error: body })
  })
  app.setNotFoundHandler((request, reply) => {
    const error = apiError(
      'route_not_found',
      `No route ${request.method} ${request.url.split('?')[0]}; see /openapi.json.`,
    )
    return reply.status(404).send({ error: { code: error.code, message: error.message } })
  })
}

function toApiError(raw: FastifyError | ApiError): ApiError {
  if (raw instanceof ApiError) return raw
  const fastifyError = raw as FastifyError
  if (fastifyError.validation) {
    const where = fastifyError.validationContext ?? 'body'
    const root = where === 'body' ? '' : `/${where}`
    return apiError(
      'validation_failed',
      undefined,
      ajvErrorDetails(fastifyError.validation as never, root),
    )
  }
  const mapped = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined
  if (mapped) return apiError(mapped)
  // secure-json-parse refuses __proto__ and constructor.prototype keys with a plain SyntaxError.
  if (raw instanceof SyntaxError || fastifyError.statusCode === 400) {
    return apiError('invalid_json', `The request body is not valid JSON: ${raw.message}`)
  }
  if (fastifyError.statusCode === 413) return apiError('payload_too_large')
  if (fastifyError.statusCode === 415) return apiError('unsupported_media_type')
  // A plugin's own refusal (e.g. @fastify/static's 403 for a path it will not serve) is the
  // client's fault: a 4xx with a code, never a 500.
  const status = fastifyError.statusCode ?? 500
  if (status === 403) return apiError('forbidden', raw.message)
  if (status === 404) return apiError('route_not_found')
  if (status >= 400 && status < 500) return apiError('invalid_request', raw.message)
  if (isSqlState(raw, sqlState.diskFull)) return apiError('storage_full')
  if (isStoreUnreachable(raw)) return apiError('store_unavailable')
  return apiError('internal_error')
}

// Connection refused or dropped, or PostgreSQL shutting down or starting up (SQLSTATE class 08,
// 57P01-57P03): the request can succeed once the store is back.
const unreachableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'])
function isStoreUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string')
    return unreachableCodes.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code)
  // node-postgres reports a connection lost mid-query without a code.
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    (error as Error).message ?? '',
  )
}
