import type { ErrorDetail } from '../../errors.ts'

/** One source object as a connector lists it (content is read separately). */
export interface ConnectorRecord {
  externalId: string
  data: Record<string, unknown>
  name?: string
  mimeType?: string
}

/** What a connector knows about the sync it serves. */
export interface ConnectorContext {
  syncId: string
  configuration: Record<string, unknown>
}

/**
 * One pass over the source: pages of records, then the cursor the next incremental pass starts
 * from (read it after the pages are consumed).
 */
export interface ConnectorPass {
  pages: AsyncIterable<ConnectorRecord[]>
  cursor(): string | null
}

/**
 * A built-in connector: the scheduler runs it through the same run functions external workers
 * reach over HTTP.
 */
export interface Connector {
  /** The `integration` of the syncs it serves, e.g. "filesystem". */
  integration: string
  /** The models it can sync, e.g. ["files"]. */
  pipelines: readonly string[]
  /**
   * Problems with a sync's configuration as `{path, message}`; empty when it is usable.
   * @throws ApiError when the connector refuses every sync (e.g. `connector_disabled`)
   */
  checkConfiguration(configuration: Record<string, unknown>): Promise<ErrorDetail[]>
  /** Everything in the source (INITIAL and FULL runs). */
  listAll(context: ConnectorContext): ConnectorPass
  /** What changed since `cursor` (INCREMENTAL runs); deletions show up in the next FULL run. */
  listChanges(context: ConnectorContext, cursor: string | null): ConnectorPass
  /** A record's content; null when the object vanished since it was listed. */
  readContent(context: ConnectorContext, externalId: string): Promise<Buffer | null>
}

/**
 * A failure with a sync error code (`10006`, `PROXY_403`, `rate_limited`…): the scheduler fails
 * the run with it, so the code decides between ERRORED and a retry with backoff.
 */
export class ConnectorError extends Error {
  readonly code: string
  readonly httpStatus: number | undefined
  readonly retryAfterMs: number | undefined

  constructor(
    code: string,
    message: string,
    options: { httpStatus?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'ConnectorError'
    this.code = code
    this.httpStatus = options.httpStatus
    this.retryAfterMs = options.retryAfterMs
  }
}
