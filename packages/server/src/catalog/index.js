export { canonicalTypes, isCanonicalType } from "./event-types.js";
export { dataSchemas } from "./data-schemas.js";
export { resolveEventFilter, wireFormats, wireName } from "./wire-names.js";
export { bodySchema, renderWireFormat } from "./render.js";
export { validateEventData, validateWireBody } from "./validate.js";
export { describeEventTypes } from "./describe.js";
