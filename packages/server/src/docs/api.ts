/**
 * Renders docs/api.md from the server's OpenAPI document: every route with its summary, its
 * parameters and the fields of its JSON body. A test keeps the committed file equal to what the
 * running server describes (regenerate with `npm run docs -w switchyard`).
 */
export function renderApiDoc(openapi: OpenApiDocument): string {
  const out = [
    '# API reference',
    '',
    '<!-- Generated from /openapi.json by `npm run docs -w switchyard`; do not edit by hand. -->',
    '',
    'Every route takes and answers JSON; authenticate with `Authorization: Bearer <key>`.',
    'Errors are `{"error": {"code", "message", "details"?}}` (see `errors.md`). Lists take',
    '`?limit&cursor` and answer `{data, nextCursor}`. The machine-readable version of this page',
    'is `/openapi.json` on a running server.',
    '',
  ]
  const byTag = new Map<string, string[]>()
  for (const [path, methods] of Object.entries(openapi.paths).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    for (const [method, operation] of Object.entries(methods)) {
      const tag = operation.tags?.[0] ?? 'other'
      byTag.set(tag, [...(byTag.get(tag) ?? []), ...routeSection(method, path, operation)])
    }
  }
  for (const [tag, lines] of [...byTag].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`## ${tag}`, '', ...lines)
  }
  return out.join('\n')
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>
}

interface Operation {
  tags?: string[]
  summary?: string
  parameters?: {
    name: string
    in: string
    required?: boolean
    description?: string
    schema?: Schema
  }[]
  requestBody?: { content?: Record<string, { schema?: Schema }> }
}

interface Schema {
  type?: string | string[]
  description?: string
  properties?: Record<string, Schema>
  required?: string[]
  enum?: unknown[]
}

function routeSection(method: string, path: string, operation: Operation): string[] {
  const lines = [`### \`${method.toUpperCase()} ${path}\``, '', operation.summary ?? '', '']
  const parameters = (operation.parameters ?? []).filter(
    (p) => p.in !== 'header' || p.name === 'idempotency-key',
  )
  if (parameters.length > 0) {
    lines.push('| parameter | in | type | description |', '| --- | --- | --- | --- |')
    for (const p of parameters)
      lines.push(
        `| \`${p.name}\`${p.required ? ' (required)' : ''} | ${p.in} | ${typeOf(p.schema)} | ${cell(p.description ?? p.schema?.description)} |`,
      )
    lines.push('')
  }
  const body = operation.requestBody?.content?.['application/json']?.schema
  if (body?.properties) {
    lines.push('| body field | type | description |', '| --- | --- | --- |')
    for (const [name, field] of Object.entries(body.properties)) {
      const required = body.required?.includes(name) ? ' (required)' : ''
      lines.push(`| \`${name}\`${required} | ${typeOf(field)} | ${cell(field.description)} |`)
    }
    lines.push('')
  }
  return lines
}

function typeOf(schema: Schema | undefined): string {
  if (!schema) return ''
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(' \\| ')
  const type = Array.isArray(schema.type) ? schema.type.join(' \\| ') : schema.type
  return type ?? 'any'
}

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')
}
