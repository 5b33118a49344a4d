import { apiError } from '../errors.ts'
import { compileFilterExpression, maxExpressionLength } from './filter-expression.ts'

/*
 * A destination's filter (docs/filters.md): whom the event is about (`userId`, `credentialId`,
 * `integration`, each an exact match) and a payload expression over the event's standard body.
 * Every part that is set must match; an event that does not match makes no delivery for it.
 */

/** The filter as the API takes and shows it. */
export interface FilterIn {
  userId?: string | null
  credentialId?: string | null
  integration?: string | null
  /** The payload expression, e.g. `$.data.amount > 100 and $.data.currency == "EUR"`. */
  payload?: string | null
}

/** The filter's columns; `jsonpath` is the payload expression compiled for the fan-out. */
export interface StoredFilter {
  userId: string | null
  credentialId: string | null
  integration: string | null
  expression: string | null
  jsonpath: string | null
}

export const noFilter: StoredFilter = {
  userId: null,
  credentialId: null,
  integration: null,
  expression: null,
  jsonpath: null,
}

const exactMatch = (what: string) =>
  ({
    type: ['string', 'null'],
    minLength: 1,
    maxLength: 200,
    description: `Only events about this ${what}.`,
  }) as const

export const filterSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  description:
    'Which events reach this destination besides their type: every part set must match ' +
    '(docs/filters.md). Null or {} for no filter.',
  properties: {
    userId: exactMatch('connected user'),
    credentialId: exactMatch('credential'),
    integration: exactMatch('integration (short name, e.g. "googledrive")'),
    payload: {
      type: ['string', 'null'],
      minLength: 1,
      maxLength: maxExpressionLength,
      description:
        'An expression over the standard body: JSONPath comparisons (==, !=, >, >=, <, <=, in, ' +
        'exists) joined by and, or, not. E.g. `$.data.amount > 100`.',
    },
  },
} as const

export const filterOutSchema = {
  type: 'object',
  required: ['userId', 'credentialId', 'integration', 'payload'],
  additionalProperties: false,
  properties: {
    userId: { type: ['string', 'null'] },
    credentialId: { type: ['string', 'null'] },
    integration: { type: ['string', 'null'] },
    payload: { type: ['string', 'null'] },
  },
} as const

/**
 * Checks a filter and compiles its payload expression.
 * @throws invalid_filter with `details: [{ path: '/filter/payload', message, column, offset }]`
 * @example checkFilter({ payload: '$.data.amount > 100' }).jsonpath // '$."data"."amount" > 100'
 */
export function checkFilter(input: FilterIn | null | undefined): StoredFilter {
  if (!input) return noFilter
  const expression = input.payload ?? null
  let jsonpath: string | null = null
  if (expression !== null) {
    const compiled = compileFilterExpression(expression)
    if (!compiled.ok) {
      const { message, column, offset } = compiled.fault
      throw apiError('invalid_filter', `/filter/payload at column ${column}: ${message}`, [
        { path: '/filter/payload', message, column, offset },
      ])
    }
    jsonpath = compiled.jsonpath
  }
  return {
    userId: input.userId ?? null,
    credentialId: input.credentialId ?? null,
    integration: input.integration ?? null,
    expression,
    jsonpath,
  }
}

/** The API view of the stored filter columns. */
export function filterOut(row: {
  filter_user_id: string | null
  filter_credential_id: string | null
  filter_integration: string | null
  filter_expression: string | null
}): Required<FilterIn> {
  return {
    userId: row.filter_user_id,
    credentialId: row.filter_credential_id,
    integration: row.filter_integration,
    payload: row.filter_expression,
  }
}
