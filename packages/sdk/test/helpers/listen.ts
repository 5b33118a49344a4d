import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * Listens on 127.0.0.1 and a free port; resolves with the base URL and a close function.
 *
 * @example const { url, close } = await listen(http.createServer(handler))
 */
export async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
