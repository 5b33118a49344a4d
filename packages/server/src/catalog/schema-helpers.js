/*
 * Small builders so the schema files read like the DESIGN tables. They return plain
 * JSON Schema objects: `GET /v1/event-types` serves them and the SDK generates types from them.
 */
/** A closed object: only the listed properties, `required` ones must be present. */
export function closedObject(properties, required) {
    return { type: 'object', properties, required, additionalProperties: false };
}
/** An open object: the listed properties are checked, others are allowed. */
export function openObject(properties, required) {
    return { type: 'object', properties, required };
}
/** A non-empty string. */
export const text = { type: 'string', minLength: 1 };
/** A string or null: context fields (user, credential, integration) an event may lack. */
export const nullableText = { type: ['string', 'null'] };
/** An RFC 3339 date-time string, as `Date.prototype.toISOString` writes it. */
export const dateTime = { type: 'string', format: 'date-time' };
/** Milliseconds since the Unix epoch. */
export const epochMs = { type: 'integer', minimum: 0 };
/** Any JSON object. */
export const anyObject = { type: 'object' };
/** A fixed value. */
export function constant(value) {
    return { const: value };
}
/**
 * One RFC 6902 operation as the change feed writes it: `oldValue` carries the value the
 * path held before (the DESIGN's diff convention), so receivers can show both sides.
 */
export const jsonPatchOperation = {
    type: 'object',
    properties: {
        op: { enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] },
        path: { type: 'string' },
        from: { type: 'string' },
        value: {},
        oldValue: {},
    },
    required: ['op', 'path'],
};
/** A list of RFC 6902 operations turning the old record into the new one. */
export const jsonPatch = { type: 'array', items: jsonPatchOperation };
/**
 * A schema title the SDK's type generator turns into a type name.
 *
 * @example
 * schemaTitle('managed-sync', 'record_created') // 'ManagedSyncRecordCreated'
 */
export function schemaTitle(format, name) {
    return `${format}-${name}`
        .split(/[-_.]/)
        .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
        .join('');
}
