import { managedSyncBodySchema, renderManagedSync } from './managed-sync-format.ts'
import { monitoringBodySchema, renderMonitoring } from './monitoring-format.ts'
import { renderStandard, standardBodySchema } from './standard-format.ts'
import type { CanonicalType, CatalogEvent, JsonSchema, RenderOptions, WireFormat } from './types.ts'
import { renderWorkspace, workspaceBodySchema } from './workspace-format.ts'

/**
 * Renders the body a destination of that format receives; null when the format has no name
 * for the event's type. Pure and deterministic: the same event and options give the same
 * body, key order included, so a retry sends the same bytes.
 *
 * @example
 * renderWireFormat('managed-sync', event, { publicUrl: 'https://switchyard.example.com' })
 * // { event: 'record_created', syncInstanceId: '…', sync: 'googledrive', credentialId: '…',
 * //   user: { id: '…' }, data: { recordId: '…', model: 'files' } }
 */
export function renderWireFormat(
  format: WireFormat,
  event: CatalogEvent,
  options: RenderOptions,
): unknown | null {
  switch (format) {
    case 'managed-sync':
      return renderManagedSync(event)
    case 'workspace':
      return renderWorkspace(event)
    case 'monitoring':
      return renderMonitoring(event, options)
    case 'standard':
      return renderStandard(event)
  }
}

/**
 * The JSON Schema of the body `renderWireFormat(format, …)` gives for a type; null when
 * the format has no name for the type. Parts are shared with the compiled validators: read,
 * don't mutate (`describeEventTypes` hands out copies).
 *
 * @example
 * bodySchema('workspace', 'record.created')?.title // 'WorkspaceIntegrationNewDataModel'
 */
export function bodySchema(format: WireFormat, type: CanonicalType): JsonSchema | null {
  switch (format) {
    case 'managed-sync':
      return managedSyncBodySchema(type)
    case 'workspace':
      return workspaceBodySchema(type)
    case 'monitoring':
      return monitoringBodySchema(type)
    case 'standard':
      return standardBodySchema(type)
  }
}
