// `atob`/`btoa` exist in every runtime the SDK targets (Node 16+, Bun, Deno, browsers), unlike
// `Buffer` or `Uint8Array.fromBase64`.

/**
 * Standard base64 (with padding) of some bytes.
 *
 * @example
 * encodeBase64(new TextEncoder().encode('hi')) // 'aGk='
 */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * Decodes standard base64; throws a `DOMException` on characters outside the alphabet.
 *
 * @example
 * decodeBase64('aGk=') // Uint8Array [104, 105]
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
