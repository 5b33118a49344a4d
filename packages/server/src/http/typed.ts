import type { FastifyTypeProvider } from 'fastify'
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify'
import type { FromSchema, JSONSchema } from 'json-schema-to-ts'

/**
 * A schema as the serializer reads it: an object schema that does not say
 * `additionalProperties` has none (fast-json-stringify drops the properties it does not list).
 * json-schema-to-ts reads JSON Schema's default instead (any extra property, typed `unknown`),
 * which no domain type would satisfy. Open shapes say `additionalProperties: true`.
 */
type Closed<S> = S extends readonly unknown[]
  ? { readonly [I in keyof S]: Closed<S[I]> }
  : S extends object
    ? {
        readonly [K in keyof S | Opened<S>]: K extends keyof S
          ? K extends 'properties'
            ? { readonly [P in keyof S[K]]: Closed<S[K][P]> }
            : K extends SchemaKeyword
              ? Closed<S[K]>
              : S[K]
          : false
      }
    : S

/** `additionalProperties`, for an object schema with properties that does not say it. */
type Opened<S> = S extends { readonly properties: object }
  ? S extends { readonly additionalProperties: unknown }
    ? never
    : 'additionalProperties'
  : never

/** The keywords whose value is a schema or a list of them. */
type SchemaKeyword = 'items' | 'anyOf' | 'oneOf' | 'allOf' | 'additionalProperties'

type Typed<S> = S extends JSONSchema ? FromSchema<S> : unknown
type TypedClosed<S> = S extends JSONSchema
  ? Closed<S> extends infer C extends JSONSchema
    ? FromSchema<C>
    : unknown
  : unknown

/**
 * Fastify's type provider for this server: route types from the `as const` JSON Schemas
 * (json-schema-to-ts's FromSchema). It is @fastify/type-provider-json-schema-to-ts's provider
 * but for one thing: response types are `Closed`, as the serializer reads them. Request types are
 * not (closing them multiplied the type-check time by five; request schemas close themselves).
 */
export interface SchemaTypeProvider extends FastifyTypeProvider {
  validator: Typed<this['schema']>
  serializer: TypedClosed<this['schema']>
}

/**
 * A Fastify instance whose routes take their types from their schemas: `request.params`,
 * `query`, `body` and `headers` from the JSON Schemas that validate them, and what a handler
 * returns (or `reply.status(n).send`s) from its response schema. No route writes its types by
 * hand (`app.get<{ Params … }>`): the schema is the one definition, for validation,
 * serialization, /openapi.json (the SDK's types) and the handler.
 */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  SchemaTypeProvider
>

/** @example return async (plugin) => { const app = typed(plugin); app.get(…) } */
export function typed(app: FastifyInstance): TypedApp {
  return app.withTypeProvider<SchemaTypeProvider>()
}
