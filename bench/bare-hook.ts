/**
 * The bench/inbound baselines: a bare Fastify route that reads the raw body and answers 200, the
 * least any webhook receiver does; with BARE_HOOK_DATABASE_URL it first stores the request
 * (headers and raw body, one INSERT per request through a pg pool of 10), the usual way to keep
 * the promise /hooks keeps: nothing is answered 200 before it is stored. Its own process, like
 * the Switchyard server it is set beside. Prints `{"port": n}` on stdout once listening.
 */
import { randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import pg from 'pg'

const databaseUrl = process.env.BARE_HOOK_DATABASE_URL
const pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 10 }) : null
await pool?.query(
  `create table if not exists bare_hook_requests (
     id uuid primary key, path text not null, headers jsonb not null, body bytea not null,
     received_at timestamptz not null default now())`,
)

const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 })
app.removeAllContentTypeParsers()
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
app.post('/hooks/:triggerId', async (request, reply) => {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
  await pool?.query(
    'insert into bare_hook_requests (id, path, headers, body) values ($1, $2, $3, $4)',
    [randomUUID(), request.url, request.headers, body],
  )
  return reply.status(200).send({ received: true, size: body.length })
})
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }))
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool?.end())
      .then(() => process.exit(0)),
)
