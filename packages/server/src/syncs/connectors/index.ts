import type { Connector } from './types.ts'

export { filesystemConnector, mimeTypeOf, type FilesystemOptions } from './filesystem.ts'
export {
  ConnectorError,
  type Connector,
  type ConnectorContext,
  type ConnectorPass,
  type ConnectorRecord,
} from './types.ts'

/** Built-in connectors by the integration they serve. */
export type ConnectorRegistry = ReadonlyMap<string, Connector>

/** @example const registry = connectorRegistry([filesystemConnector()]) */
export function connectorRegistry(connectors: readonly Connector[]): ConnectorRegistry {
  return new Map(connectors.map((c) => [c.integration, c]))
}
