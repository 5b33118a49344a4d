import type { Connector } from './types.ts'

export {
  defaultFilesystemLimits,
  filesystemConnector,
  mimeTypeOf,
  type FilesystemOptions,
} from './filesystem.ts'
export type { FilesystemLimits } from './filesystem-walk.ts'
export {
  ConnectorError,
  type Connector,
  type ConnectorContext,
  type ConnectorPass,
  type ConnectorRecord,
} from './types.ts'

/** Built-in connectors by the integration they serve. */
export type ConnectorRegistry = ReadonlyMap<string, Connector>

/** @example const registry = connectorRegistry([filesystemConnector({ roots, dataDir })]) */
export function connectorRegistry(connectors: readonly Connector[]): ConnectorRegistry {
  return new Map(connectors.map((c) => [c.integration, c]))
}
