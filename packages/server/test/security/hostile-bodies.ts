import fc from 'fast-check'

/*
 * Hostile request bodies generated from a route's JSON Schema. Every input here is invalid for
 * that schema by construction (wrong type, unknown field, over a limit, not JSON, not UTF-8,
 * poisoned keys), so the only right answer is a 4xx with a code and nothing written.
 */

export interface HostileBody {
  kind: string
  /** Raw bytes on the wire. */
  bytes: Buffer
  contentType: string
}

type Schema = {
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  maxLength?: number
  maxItems?: number
  items?: Schema
  enum?: unknown[]
}

const json = (kind: string, value: unknown): HostileBody => ({
  kind,
  bytes: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  contentType: 'application/json',
})

const typeOf = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v

/** A JSON value whose type the schema does not allow (integers count as numbers). */
function wrongTypeValue(schema: Schema): fc.Arbitrary<unknown> {
  const allowed = new Set([schema.type ?? []].flat())
  if (allowed.size === 0) return fc.constant(Symbol('any'))
  return fc
    .oneof(
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
    )
    .filter((v) => {
      const t = typeOf(v)
      if (allowed.has(t)) return false
      if (t === 'integer' && allowed.has('number')) return false
      if (t === 'number' && Number.isInteger(v) && allowed.has('integer')) return false
      return true
    })
}

/** Field names that are never in a schema: unknown names and prototype tricks. */
const unknownField = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '$where', 'hasOwnProperty'),
  fc.string({ minLength: 1, maxLength: 30 }).map((s) => `x_${s}`),
)

/** The arbitraries for one body schema, each named by the kind of attack. */
export function hostileBodies(schema: Schema, bodyLimit: number): fc.Arbitrary<HostileBody> {
  const props = Object.entries(schema.properties ?? {})
  const families: fc.Arbitrary<HostileBody>[] = [
    // Not an object at all.
    fc
      .oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer()))
      // Stringified here: json() sends a string as raw text, and an empty string is no body at
      // all (taken where the body is optional), not a document of the wrong type.
      .map((v) => json('wrong root type', JSON.stringify(v))),
    // Not JSON: a truncated or garbled document.
    fc
      .tuple(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.constantFrom('{', '[', '{"a":', '{"a"', '{,}', "{'a':1}", 'nul', '{"a":1}}'),
      )
      .map(([s, junk]) => json('malformed JSON', junk + s.replace(/[}\]]/g, ''))),
    // Prototype pollution: secure-json-parse must refuse these before any code sees them.
    fc
      .constantFrom(
        '{"__proto__":{"polluted":true}}',
        '{"constructor":{"prototype":{"polluted":true}}}',
        '{"a":{"__proto__":{"isAdmin":true}}}',
        '[{"__proto__":{"x":1}}]',
      )
      .map((raw) => json('prototype pollution', raw)),
    // Deeply nested: a tower of unknown fields or arrays.
    fc
      .integer({ min: 100, max: 5000 })
      .map((depth) => json('deep nesting', '{"x_deep":'.repeat(depth) + '1' + '}'.repeat(depth))),
    // Not UTF-8: lone continuation bytes, overlongs, surrogates encoded raw.
    fc
      .constantFrom(
        [0xff],
        [0xc0, 0xaf],
        [0xed, 0xa0, 0x80],
        [0x80],
        [0xf8, 0x88, 0x80, 0x80, 0x80],
      )
      .map((bad) => ({
        kind: 'invalid UTF-8',
        bytes: Buffer.concat([Buffer.from('{"name":"'), Buffer.from(bad), Buffer.from('"}')]),
        contentType: 'application/json',
      })),
    // Over the route's body limit.
    fc.integer({ min: 1, max: 64 * 1024 }).map((extra) => ({
      kind: 'oversize body',
      bytes: Buffer.from(`{"x":"${'a'.repeat(bodyLimit + extra)}"}`),
      contentType: 'application/json',
    })),
    // Not JSON by content type.
    fc
      .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml')
      .map((ct) => ({
        kind: 'wrong content type',
        bytes: Buffer.from('{}'),
        contentType: ct,
      })),
  ]
  if (schema.additionalProperties === false) {
    families.push(
      fc
        .tuple(unknownField, fc.jsonValue({ maxDepth: 2 }))
        .map(([k, v]) =>
          json('unknown field', `{${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}}`),
        ),
    )
  }
  for (const [name, prop] of props) {
    if (prop.type !== undefined)
      families.push(wrongTypeValue(prop).map((v) => json('wrong field type', { [name]: v })))
    if (prop.maxLength !== undefined && prop.maxLength < bodyLimit / 2)
      families.push(
        fc
          .integer({ min: 1, max: 10_000 })
          .map((extra) => json('huge string', { [name]: 'x'.repeat(prop.maxLength! + extra) })),
      )
    if (prop.maxItems !== undefined)
      families.push(
        fc.integer({ min: 1, max: 1000 }).map((extra) =>
          json('huge array', {
            [name]: Array.from({ length: prop.maxItems! + extra }, () => 'x'),
          }),
        ),
      )
  }
  return fc.oneof(...families)
}
