import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installErrorHandler } from '../../src/http/error-handler.ts'

/** What the store's drivers throw when the database is full, down or restarting. */
const failures: Record<string, () => Error> = {
  'disk-full': () =>
    Object.assign(new Error('could not extend file: No space left on device'), { code: '53100' }),
  refused: () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
  'admin-shutdown': () =>
    Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    }),
  'starting-up': () =>
    Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
  terminated: () => new Error('Connection terminated unexpectedly'),
  'plain-bug': () => new TypeError("Cannot read properties of undefined (reading 'id')"),
}

const app = Fastify({ logger: false })
beforeAll(async () => {
  installErrorHandler(app)
  app.get('/fail/:kind', async (request) => {
    throw failures[(request.params as { kind: string }).kind]!()
  })
  await app.ready()
})
afterAll(() => app.close())

const answer = async (kind: string) => {
  const res = await app.inject({ method: 'GET', url: `/fail/${kind}` })
  return {
    status: res.statusCode,
    code: res.json().error.code,
    retryAfter: res.headers['retry-after'],
  }
}

describe('store failures as answers', () => {
  it('answers 507 storage_full when the database disk is full', async () => {
    expect(await answer('disk-full')).toEqual({
      status: 507,
      code: 'storage_full',
      retryAfter: undefined,
    })
  })

  it('answers 503 store_unavailable with Retry-After when the database is down or restarting', async () => {
    for (const kind of ['refused', 'admin-shutdown', 'starting-up', 'terminated'])
      expect(await answer(kind), kind).toEqual({
        status: 503,
        code: 'store_unavailable',
        retryAfter: '1',
      })
  })

  it('keeps other failures a 500 internal_error', async () => {
    expect(await answer('plain-bug')).toEqual({
      status: 500,
      code: 'internal_error',
      retryAfter: undefined,
    })
  })
})
