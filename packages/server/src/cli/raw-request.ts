/** A captured HTTP request: its headers by lower-case name, and the body bytes untouched. */
export interface RawRequest {
  headers: Record<string, string>
  body: Uint8Array
}

const requestLine = /^[A-Z]+ \S+ HTTP\/\d(\.\d)?$/

/**
 * Reads a request as captured off the wire or typed into a file: an optional request line
 * (`POST /webhooks HTTP/1.1`), `Name: value` header lines, a blank line, then the body, kept
 * byte for byte (the signature covers it exactly). CRLF and LF line ends are both accepted.
 * @returns the request, or null when there is no blank line after the headers
 * @example parseRawRequest(Buffer.from('webhook-id: msg_1\n\n{}')) // { headers: {…}, body: '{}' bytes }
 */
export function parseRawRequest(input: Uint8Array): RawRequest | null {
  const text = Buffer.from(input).toString('latin1')
  const end = /\r?\n\r?\n/.exec(text)
  if (!end) return null
  const lines = text.slice(0, end.index).split(/\r?\n/)
  if (lines[0] !== undefined && requestLine.test(lines[0])) lines.shift()
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon < 1) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = Buffer.from(line.slice(colon + 1).trim(), 'latin1').toString('utf8')
    headers[name] = headers[name] === undefined ? value : `${headers[name]} ${value}`
  }
  return { headers, body: input.subarray(end.index + end[0].length) }
}
