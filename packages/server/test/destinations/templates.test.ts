import { describe, expect, it } from 'vitest'
import {
  bodySchema,
  canonicalTypes,
  renderWireFormat,
  sampleEvent,
  wireName,
  type CanonicalType,
} from '../../src/catalog/index.ts'
import { eventBodySchemas } from '../../src/destinations/template-fields.ts'
import {
  deliveryUuids,
  fitWithin,
  parseDsn,
  parseTemplate,
  parseTextTemplate,
  pathFaults,
  placeholdersOf,
  presets,
  renderTemplate,
  renderText,
  type Template,
} from '../../src/destinations/templates/index.ts'

const fns = { uuid: () => '0123456789abcdef0123456789abcdef', now: () => new Date(0) }
const event = renderWireFormat('monitoring', sampleEvent('workflow.failed'), {
  publicUrl: 'https://switchyard.example.com',
}) as Record<string, any>

function parsed(text: string): Template {
  const result = parseTemplate(text)
  if (!result.ok) throw new Error(result.fault.message)
  return result.template
}

const render = (text: string, context: object = { event }) =>
  renderTemplate(parsed(text), context, fns)

describe('rendering', () => {
  it('renders the whole event for the default body {{$.event}}', () => {
    expect(render('{{$.event}}')).toStrictEqual(event)
  })

  it('inserts a JSON value where a placeholder stands for a value', () => {
    expect(render('{"user": {{$.event.user}}, "at": {{$.event.timestamp}}}')).toStrictEqual({
      user: event.user,
      at: event.timestamp,
    })
  })

  it('inserts escaped text inside a string, so quotes and line breaks keep the JSON whole', () => {
    const context = { event: { ...event, message: 'say "hi"\nthen \\ leave' } }
    const body = JSON.stringify(render('{"text": "Alert: {{$.event.message}}!"}', context))
    expect(JSON.parse(body)).toStrictEqual({ text: 'Alert: say "hi"\nthen \\ leave!' })
  })

  it('inserts the JSON text of an object inside a string', () => {
    expect(render('{"text": "user={{$.event.user}}"}')).toStrictEqual({
      text: `user=${JSON.stringify(event.user)}`,
    })
  })

  it('leaves out a member or item whose value is absent, and inserts "" in a string', () => {
    const body = render(
      '{"a": {{$.event.workflow.nope}}, "b": [1, {{$.event.nope}}], "c": "x{{$.event.nope}}y"}',
    )
    expect(body).toStrictEqual({ b: [1], c: 'xy' })
  })

  it('inserts every match of a wildcard as an array', () => {
    expect(render('{{$.event.workflow.*}}')).toStrictEqual([event.workflow.id, event.workflow.name])
  })

  it('calls the injected uuid() and now()', () => {
    expect(render('{"id": "{{uuid()}}", "at": {{ now() }}}')).toStrictEqual({
      id: '0123456789abcdef0123456789abcdef',
      at: '1970-01-01T00:00:00.000Z',
    })
  })

  it('renders a header value as text, line breaks in inserted text turned into spaces', () => {
    const template = parseTextTemplate('{{$.event.type}}: {{$.event.message}}')
    if (!template.ok) throw new Error('unreachable')
    const context = { event: { ...event, message: 'two\r\nlines' } }
    expect(renderText(template.template, context, fns)).toBe('workflow_failure: two lines')
  })
})

describe('parse faults', () => {
  it.each([
    ['{\n  "a": {{$.event.type}\n}', "this '{{' is never closed with '}}'", 2, 8],
    ['{"a": 1,}', 'expected a property name in double quotes', 1, 9],
    ['{"a": 1\n "b": 2}', "expected ',' or '}' after a property value", 2, 2],
    ['[1, 2', "expected ',' or ']' after an array item", 1, 6],
    [
      '{"a": "line\nbreak"}',
      'a control character (a raw line break?) inside a string; escape it as \\n',
      1,
      12,
    ],
    ['{"a": {{ hash() }}}', 'unknown function hash(); the functions are uuid() and now()', 1, 7],
    ['{"a": {{event.type}}}', 'expected a JSONPath like $.event.message, or uuid() or now()', 1, 7],
    ['{"a": tru}', 'unexpected character "t"', 1, 7],
    ['{"a": "unclosed}', 'this string is never closed with a double quote', 1, 7],
  ])('refuses %j with its line and column', (text, message, line, column) => {
    const result = parseTemplate(text)
    expect(result).toMatchObject({ ok: false, fault: { message, line, column } })
  })

  it('refuses filter and script expressions', () => {
    const result = parseTemplate('{{$.event.data[?(@.x)]}}')
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.fault.message).toContain('filter and script expressions')
  })
})

describe('path checks against the body schemas', () => {
  const monitoringFailure = [bodySchema('monitoring', 'workflow.failed')!]
  const faultsOf = (text: string, schemas = monitoringFailure) =>
    pathFaults(placeholdersOf(parsed(text).root), { event: schemas }).map((f) => f.message)

  it('passes paths the schema has, wildcards and recursive descent', () => {
    const text =
      '[{{$.event.data.stepExecution.stepId}}, {{$.event.user.metadata.plan}}, {{$.event.data.*}}, {{$..error}}, {{$.event}}]'
    expect(faultsOf(text)).toEqual([])
  })

  it('refuses a path the events never have', () => {
    expect(faultsOf('{"e": {{$.event.data.eror}}}')).toEqual([
      '"$.event.data.eror" never resolves in the events this destination receives',
    ])
  })

  it("refuses another format's field", () => {
    expect(faultsOf('{{$.event.payload}}')).toHaveLength(1)
  })

  it('refuses a root other than $.event', () => {
    expect(faultsOf('{{$.preset.service}}')).toEqual([
      '"$.preset.service" reads $.preset; templates read $.event',
    ])
  })

  it('passes a path any of the types has', () => {
    const schemas = eventBodySchemas({ format: 'monitoring', eventTypes: null })
    expect(faultsOf('{{$.event.data.reason}}', schemas)).toEqual([])
  })
})

describe('fitting a body within limits', () => {
  it('cuts strings longer than the limit', () => {
    const fitted = fitWithin({ a: 'x'.repeat(5000), b: ['y'.repeat(10)] }, { maxStringChars: 4096 })
    expect(fitted).toStrictEqual({ a: 'x'.repeat(4095) + '…', b: ['y'.repeat(10)] })
  })

  it('cuts the longest strings until the JSON text fits the byte limit', () => {
    const value = { small: 'keep', big: 'é'.repeat(400_000), other: 'z'.repeat(300_000) }
    const fitted = fitWithin(value, { maxBodyBytes: 500_000 }) as typeof value
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(500_000)
    expect(fitted.small).toBe('keep')
    expect(value.big).toHaveLength(400_000)
  })
})

describe('preset templates', () => {
  // Each preset's template must parse and read only what the monitoring body of every type it
  // serves has: this is the save-time check, run once here for the templates in code.
  const monitoringTypes = canonicalTypes.filter((t) => wireName('monitoring', t) !== null)
  const cases = Object.values(presets).flatMap((preset) =>
    monitoringTypes.map((type) => [preset.name, type] as const),
  )

  it.each(cases)('%s parses and resolves for %s', (name, type) => {
    const preset = presets[name]
    const text = preset.templates[type as CanonicalType] ?? preset.templates.default
    const template = parsed(text)
    const roots = {
      event: [bodySchema('monitoring', type)!],
      preset: [{ type: 'object', additionalProperties: true }],
    }
    expect(pathFaults(placeholdersOf(template.root), roots)).toEqual([])
  })
})

describe('Sentry DSN', () => {
  it('turns a DSN into the store endpoint and keys', () => {
    expect(parseDsn('https://abc123@o447951.ingest.sentry.io/5494031')).toStrictEqual({
      storeUrl: 'https://o447951.ingest.sentry.io/api/5494031/store/',
      publicKey: 'abc123',
      secretKey: null,
    })
    expect(parseDsn('http://pub:sec@sentry.internal:9000/sentry/42/')).toMatchObject({
      storeUrl: 'http://sentry.internal:9000/sentry/api/42/store/',
      secretKey: 'sec',
    })
  })

  it.each([
    ['not a dsn', 'is not a DSN'],
    ['https://o1.ingest.sentry.io/42', 'has no public key'],
    ['https://key@o1.ingest.sentry.io/project', 'does not end with a numeric project id'],
    ['ftp://key@host/42', 'must be an http or https DSN'],
  ])('refuses %s', (dsn, fault) => {
    expect(parseDsn(dsn)).toMatchObject({ fault: expect.stringContaining(fault) })
  })
})

describe('uuid() per delivery', () => {
  it('gives 32 lowercase hex digits of a v4-shaped UUID, stable per delivery and call', () => {
    const first = deliveryUuids('0190c0de-0000-7000-8000-000000000001')
    const again = deliveryUuids('0190c0de-0000-7000-8000-000000000001')
    const other = deliveryUuids('0190c0de-0000-7000-8000-000000000002')
    const id = first()
    expect(id).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/)
    expect(again()).toBe(id)
    expect(other()).not.toBe(id)
    expect(first()).not.toBe(id)
  })
})
