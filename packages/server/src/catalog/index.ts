/**
 * The catalog: canonical event types, their data schemas, and the four wire formats an
 * event is rendered in. Other features use only what this file exports.
 *
 * @example
 * import { validateEventData, renderWireFormat } from '../catalog/index.ts'
 * const check = validateEventData('record.created', data)
 * const body = renderWireFormat('managed-sync', event, { publicUrl })
 */
export type {
  CanonicalType,
  CatalogEvent,
  EventTypeDescription,
  JsonSchema,
  RenderOptions,
  ValidationError,
  ValidationResult,
  WireFormat,
} from './types.ts'
export { canonicalTypes, isCanonicalType } from './event-types.ts'
export { dataSchemas } from './data-schemas.ts'
export { formatsCarrying, resolveEventFilter, wireFormats, wireName } from './wire-names.ts'
export { bodySchema, renderWireFormat } from './render.ts'
export { validateEventData, validateWireBody } from './validate.ts'
export { describeEventTypes } from './describe.ts'
export { sampleEvent } from './sample-events.ts'
