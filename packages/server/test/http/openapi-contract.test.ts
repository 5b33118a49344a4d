import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'

/*
 * The API contract: every route /openapi.json lists says what it answers. The SDK's types, the
 * CLI and the dashboard read their shapes from this document, so a route without a response
 * schema is a route every client types by hand.
 */

interface Schema {
  type?: string | string[]
  properties?: Record<string, unknown>
  $ref?: string
}
interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>
}

let server: TestServer
let operations: { name: string; operation: Operation }[]
let components: Record<string, Schema>

beforeAll(async () => {
  server = await startTestServer()
  const document = (await server.api('GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, Operation>>
    components?: { schemas?: Record<string, Schema> }
  }
  components = document.components?.schemas ?? {}
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      name: `${method.toUpperCase()} ${path}`,
      operation,
    })),
  )
})
afterAll(() => server.close())

describe('the OpenAPI document', () => {
  it('lists the routes', () => {
    expect(operations.length).toBeGreaterThan(50)
  })

  it('gives every operation a success response with a schema (204: no body)', () => {
    const missing = operations.flatMap(({ name, operation }) => {
      const successes = Object.entries(operation.responses ?? {}).filter(([code]) =>
        code.startsWith('2'),
      )
      if (successes.length === 0) return [`${name}: no 2xx response`]
      return successes.flatMap(([code, response]) => {
        if (code === '204') return response.content ? [`${name} 204: has a body`] : []
        const media = Object.entries(response.content ?? {})
        if (media.length === 0) return [`${name} ${code}: no content`]
        return media
          .filter(([, { schema }]) => !schema || (!schema.type && !schema.properties))
          .map(([type]) => `${name} ${code} ${type}: no schema with a type or properties`)
      })
    })
    expect(missing).toEqual([])
  })

  it('answers every failure with the shared error schema', () => {
    expect(components.ApiError?.properties).toHaveProperty('error')
    const missing = operations.flatMap(({ name, operation }) =>
      ['4XX', '5XX']
        .filter((code) => {
          const schema = operation.responses?.[code]?.content?.['application/json']?.schema
          return schema?.$ref !== '#/components/schemas/ApiError'
        })
        .map((code) => `${name}: ${code}`),
    )
    expect(missing).toEqual([])
  })
})

describe('the error schema', () => {
  it('keeps the details of a failure', async () => {
    const { apiKey } = await server.createProject()
    const res = await server.api('POST', '/v1/events', { key: apiKey, body: { type: 1 } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('validation_failed')
    expect(res.body.error.details.length).toBeGreaterThan(0)
  })
})
