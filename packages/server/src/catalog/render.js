import { managedSyncBodySchema, renderManagedSync } from "./managed-sync-format.js";
import { monitoringBodySchema, renderMonitoring } from "./monitoring-format.js";
import { renderStandard, standardBodySchema } from "./standard-format.js";
import { renderWorkspace, workspaceBodySchema } from "./workspace-format.js";
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
export function renderWireFormat(format, event, options) {
    switch (format) {
        case 'managed-sync':
            return renderManagedSync(event);
        case 'workspace':
            return renderWorkspace(event);
        case 'monitoring':
            return renderMonitoring(event, options);
        case 'standard':
            return renderStandard(event);
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
export function bodySchema(format, type) {
    switch (format) {
        case 'managed-sync':
            return managedSyncBodySchema(type);
        case 'workspace':
            return workspaceBodySchema(type);
        case 'monitoring':
            return monitoringBodySchema(type);
        case 'standard':
            return standardBodySchema(type);
    }
}
