import { describe, expect, it } from 'vitest'
import { loggedUrl } from '../../src/http/server.ts'

/*
 * The request log line (issue #24 item 7): a URL can carry what grants access — a trigger's
 * query token, Meta's verify token, a claim-check URL's signature. The line keeps the route and
 * drops those.
 */
describe('loggedUrl', () => {
  it('redacts every /hooks query value but the credential id', () => {
    expect(loggedUrl('/hooks/t1?id=cred-1&token=s3cret&hub.verify_token=vt&flag')).toBe(
      '/hooks/t1?id=cred-1&token=[redacted]&hub.verify_token=[redacted]&flag',
    )
  })

  it('redacts the token of a claim-check URL', () => {
    expect(loggedUrl('/v1/claims/3q2-7wAAAA.1751918400.kQ0pV9m4')).toBe('/v1/claims/[redacted]')
  })

  it('redacts API query values whose names say secret, and keeps the others', () => {
    expect(loggedUrl('/v1/events?limit=5&access_token=abc&api%5Fkey=k&cursor=c1')).toBe(
      '/v1/events?limit=5&access_token=[redacted]&api%5Fkey=[redacted]&cursor=c1',
    )
  })

  it('leaves a URL without query or secret path as it is', () => {
    expect(loggedUrl('/v1/destinations/abc')).toBe('/v1/destinations/abc')
  })
})
