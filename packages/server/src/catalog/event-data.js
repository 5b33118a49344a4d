/*
 * The shapes `data` has once it passed `validateEventData`, as the renderers read them.
 * They mirror data-schemas.ts by hand; the SDK's public types are generated from the schemas.
 */
/**
 * Reads `data` as the shape its type guarantees. Events are validated at ingest, so this is
 * a type assertion, not a check; renderers stay total by defaulting optional fields.
 */
export function dataAs(data) {
    return data;
}
