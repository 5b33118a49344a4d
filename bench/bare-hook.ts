/**
 * The bench/inbound baseline: a bare Fastify route that reads the raw body and answers 200, the
 * least any webhook receiver does. Its own process, like the Switchyard server it is set beside.
 * Prints `{"port": n}` on stdout once listening.
 */
import Fastify from 'fastify'

const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 })
app.removeAllContentTypeParsers()
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
app.post('/hooks/:triggerId', async (request, reply) => {
  const size = Buffer.isBuffer(request.body) ? request.body.length : 0
  return reply.status(200).send({ received: true, size })
})
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }))
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
