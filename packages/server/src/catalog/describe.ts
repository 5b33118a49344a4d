import { dataSchemas } from './data-schemas.ts'
import { canonicalTypes, describeType } from './event-types.ts'
import { bodySchema } from './render.ts'
import type { EventTypeDescription, JsonSchema, WireFormat } from './types.ts'
import { formatsCarrying, wireFormats, wireName } from './wire-names.ts'

function perFormat<T>(value: (format: WireFormat) => T): Record<WireFormat, T> {
  return Object.fromEntries(wireFormats.map((format) => [format, value(format)])) as Record<
    WireFormat,
    T
  >
}

/**
 * Every canonical type with its description, its name in each format, the formats that carry
 * it, its data schema and
 * the schema of each format's body: the answer to `GET /v1/event-types`, and the input the
 * SDK's type generator reads. The schemas are copies the caller may change.
 *
 * @example
 * describeEventTypes()[0]
 * // { type: 'sync.completed', description: '…', names: { 'managed-sync': 'sync_complete', … },
 * //   formats: ['managed-sync', 'workspace', 'standard'], dataSchema: {…},
 * //   bodySchemas: { 'managed-sync': {…}, workspace: {…}, monitoring: null, standard: {…} } }
 */
export function describeEventTypes(): EventTypeDescription[] {
  return canonicalTypes.map((type) => ({
    type,
    description: describeType(type),
    names: perFormat((format) => wireName(format, type)),
    formats: formatsCarrying(type),
    dataSchema: structuredClone(dataSchemas[type]),
    bodySchemas: perFormat((format): JsonSchema | null => {
      const schema = bodySchema(format, type)
      return schema === null ? null : structuredClone(schema)
    }),
  }))
}
