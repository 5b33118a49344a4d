import { compile, type JSONSchema } from 'json-schema-to-typescript'
import {
  describeEventTypes,
  type EventTypeDescription,
  type WireFormat,
} from '../../server/src/catalog/index.ts'
import { formatGenerated, generatedHeader } from './format.ts'

/** Where `renderEventTypes` output lives. */
export const eventsTarget = new URL('../src/generated/events.ts', import.meta.url)

// The field that names the event in each format's bodies.
const discriminants: Record<WireFormat, string> = {
  'managed-sync': 'event',
  workspace: 'event',
  monitoring: 'type',
  standard: 'type',
}
const wireFormats = Object.keys(discriminants) as WireFormat[]

const pascal = (name: string) =>
  name.replace(/(^|[-._])([a-z])/g, (_match, _separator, letter: string) => letter.toUpperCase())

/**
 * Renders `src/generated/events.ts` from the server's catalog: each canonical type's data, each
 * format's bodies, and per format a union discriminated on the format's name field.
 *
 * @example await writeFile(eventsTarget, await renderEventTypes())
 */
export async function renderEventTypes(): Promise<string> {
  const types = describeEventTypes()
  const sections = [
    // Types with no fields (`credential.fixed` data) come out as `{}`.
    generatedHeader("the server's event catalog (describeEventTypes)", [
      '@typescript-eslint/no-empty-object-type',
    ]),
    `/** The wire formats a destination can pick. */
export type WireFormat = ${wireFormats.map((f) => `'${f}'`).join(' | ')}`,
    `/** The canonical event types, as \`POST /v1/events\` takes them. */
export type CanonicalEventType = ${types.map((t) => `'${t.type}'`).join(' | ')}`,
    `/** The \`data\` of each canonical type, as \`POST /v1/events\` takes it. */
export interface CanonicalEventData {
${types.map((t) => `'${t.type}': ${pascal(t.type)}Data`).join('\n')}
}`,
    ...(await Promise.all(types.map(renderData))),
    ...(await Promise.all(wireFormats.map((format) => renderFormat(format, types)))),
    `/** Each wire format's union of bodies. */
export interface WireFormatEvents {
${wireFormats.map((f) => `'${f}': ${pascal(f)}Event`).join('\n')}
}`,
  ]
  const source = sections.join('\n\n')
  assertUniqueNames(source)
  return formatGenerated(source, eventsTarget)
}

function renderData(type: EventTypeDescription): Promise<string> {
  const schema = { ...type.dataSchema, description: `\`${type.type}\` data: ${type.description}` }
  return compileSchema(schema, `${pascal(type.type)}Data`)
}

async function renderFormat(format: WireFormat, types: EventTypeDescription[]): Promise<string> {
  const discriminant = discriminants[format]
  const members: string[] = []
  const declarations: string[] = []
  for (const type of types) {
    const schema = type.bodySchemas[format]
    if (!schema) continue
    const name = String(schema.title)
    const description = `\`${type.type}\` in the \`${format}\` format (\`${type.names[format]}\`): ${type.description}`
    declarations.push(await compileSchema({ ...schema, description }, name))
    const properties = (schema.properties ?? {}) as Record<string, unknown>
    // A body without the name field (managed-sync's forwarded trigger request) still narrows:
    // `event.event === undefined` picks it out.
    members.push(discriminant in properties ? name : `(${name} & { ${discriminant}?: undefined })`)
  }
  const union = `/** Every body a \`${format}\` destination receives; narrow on \`${discriminant}\`. */
export type ${pascal(format)}Event = ${members.join(' | ')}`
  return [...declarations, union].join('\n\n')
}

async function compileSchema(schema: Record<string, unknown>, name: string): Promise<string> {
  const source = await compile(schema as JSONSchema, name, {
    bannerComment: '',
    format: false,
    declareExternallyReferenced: true,
  })
  return source.trim()
}

function assertUniqueNames(source: string): void {
  const names = [...source.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1])
  const repeated = names.filter((name, i) => names.indexOf(name) !== i)
  if (repeated.length > 0) throw new Error(`Generated names collide: ${repeated.join(', ')}`)
}
