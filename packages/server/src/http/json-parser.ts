import { isUtf8 } from 'node:buffer'
import type { FastifyInstance } from 'fastify'
import { apiError } from '../errors.ts'

/**
 * Replaces Fastify's JSON parser with one that refuses bodies that are not valid UTF-8. The
 * default decodes them with replacement characters, so `{"name":"\xff"}` would be stored as
 * "�" instead of being refused. Prototype-poisoning keys stay refused (secure-json-parse). An
 * empty body sent as `application/json` is taken as no body.
 * @example installJsonParser(app)
 */
export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer
    // An empty body is no body: routes whose body is optional take it, routes that need one
    // refuse it in validation (400 validation_failed), never as invalid_json.
    if (bytes.length === 0) {
      done(null, undefined)
      return
    }
    if (!isUtf8(bytes)) {
      done(
        apiError(
          'invalid_json',
          'The request body is not valid UTF-8; send JSON encoded as UTF-8.',
        ),
      )
      return
    }
    parse(request, bytes.toString('utf8'), done)
  })
}
