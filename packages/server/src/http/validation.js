import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule;
const shared = {
    allErrors: true,
    strict: false,
    useDefaults: true,
    removeAdditional: false,
};
// Bodies are checked strictly: "5" is not 5, and unknown fields are refused, never dropped.
const bodyAjv = addFormats(new Ajv({ ...shared, coerceTypes: false }));
// Query strings and params are text on the wire, so they are coerced to the declared type.
const textAjv = addFormats(new Ajv({ ...shared, coerceTypes: 'array' }));
/** Fastify's validator compiler: strict for bodies, coercing for query, params and headers. */
export const validatorCompiler = ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodyAjv : textAjv;
    return ajv.compile(schema);
};
/** Turns ajv errors into `details`: one `{path, message}` per fault, paths as JSON pointers. */
export function ajvErrorDetails(errors, root = '') {
    return errors.map((error) => {
        let path = root + error.instancePath;
        if (error.keyword === 'additionalProperties') {
            path += `/${String(error.params.additionalProperty)}`;
            return { path, message: 'is not a known field; remove it' };
        }
        if (error.keyword === 'required') {
            path += `/${String(error.params.missingProperty)}`;
            return { path, message: 'is required' };
        }
        return { path: path || '/', message: error.message ?? 'is invalid' };
    });
}
