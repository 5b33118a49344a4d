import { isUtf8 } from 'node:buffer'
import type { FastifyInstance } from 'fastify'
import { apiError } from '../errors.ts'
import { scanJson, unstorableEscape, unstorableValues } from './json-scan.ts'

/**
 * The deepest nesting of arrays and objects a JSON body may have. No API object needs more
 * than a dozen levels; 5,000 parsed fine but then overflowed the stack in `JSON.stringify` on
 * the way to the store (a 500), and PostgreSQL has its own recursion limit for jsonb.
 */
export const maxJsonDepth = 512

/**
 * Replaces Fastify's JSON parser with one that refuses, with a 400 and a code:
 * - bodies that are not valid UTF-8 (the default decodes them with replacement characters, so
 *   `{"name":"\xff"}` would be stored as "�"),
 * - nesting deeper than `maxJsonDepth`, found by a scan of the text before it is parsed,
 * - strings or keys holding U+0000 or a lone surrogate: PostgreSQL stores neither in text or
 *   jsonb (the insert failed with a 500), and replacing them would change the data; and numbers
 *   too large for a double, which JSON.parse turns into Infinity and the store into null.
 * Prototype-poisoning keys stay refused (secure-json-parse). An empty body sent as
 * `application/json` is taken as no body.
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
    const text = bytes.toString('utf8')
    const scan = scanJson(text, maxJsonDepth)
    if (scan.tooDeep) {
      done(apiError('json_too_deep'))
      return
    }
    parse(request, text, (error, value) => {
      if (error) return done(error)
      const suspect = scan.hugeNumber || unstorableEscape.test(text)
      const unstorable = suspect ? unstorableValues(value) : []
      if (unstorable.length > 0) return done(apiError('unsupported_value', undefined, unstorable))
      done(null, value)
    })
  })
}
