/*
 * The `standard` format: our own vocabulary, `{id, type, timestamp, data}` with the canonical
 * name and the data exactly as stored. Every type has a standard body.
 */
import { dataSchemas } from "./data-schemas.js";
import { closedObject, constant, dateTime, schemaTitle, text } from "./schema-helpers.js";
/**
 * Renders an event in the standard format. Reads only `id`, `type`, `occurredAt` and `data`.
 *
 * @example
 * renderStandard(event) // { id: 'evt_1', type: 'record.created', timestamp: '2025-…Z', data: {…} }
 */
export function renderStandard(event) {
    return {
        id: event.id,
        type: event.type,
        timestamp: event.occurredAt.toISOString(),
        data: event.data,
    };
}
/**
 * The JSON Schema of the standard body for a type.
 *
 * @example
 * standardBodySchema('record.created').title // 'StandardRecordCreated'
 */
export function standardBodySchema(type) {
    return {
        title: schemaTitle('standard', type),
        ...closedObject({ id: text, type: constant(type), timestamp: dateTime, data: dataSchemas[type] }, ['id', 'type', 'timestamp', 'data']),
    };
}
