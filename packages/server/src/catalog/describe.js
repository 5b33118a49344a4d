import { dataSchemas } from "./data-schemas.js";
import { canonicalTypes, describeType } from "./event-types.js";
import { bodySchema } from "./render.js";
import { wireFormats, wireName } from "./wire-names.js";
function perFormat(value) {
    return Object.fromEntries(wireFormats.map((format) => [format, value(format)]));
}
/**
 * Every canonical type with its description, its name in each format, its data schema and
 * the schema of each format's body: the answer to `GET /v1/event-types`, and the input the
 * SDK's type generator reads. The schemas are copies the caller may change.
 *
 * @example
 * describeEventTypes()[0]
 * // { type: 'sync.completed', description: '…', names: { 'managed-sync': 'sync_complete', … },
 * //   dataSchema: {…}, bodySchemas: { 'managed-sync': {…}, workspace: {…}, monitoring: null, standard: {…} } }
 */
export function describeEventTypes() {
    return canonicalTypes.map((type) => ({
        type,
        description: describeType(type),
        names: perFormat((format) => wireName(format, type)),
        dataSchema: structuredClone(dataSchemas[type]),
        bodySchemas: perFormat((format) => {
            const schema = bodySchema(format, type);
            return schema === null ? null : structuredClone(schema);
        }),
    }));
}
