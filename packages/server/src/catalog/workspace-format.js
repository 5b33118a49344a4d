/*
 * The `workspace` format (seed 003): `{workspace_id, customer_id, event, state, payload}`.
 * The seed's "integration id" is a connected integration instance, which is our credential,
 * so every payload's `id` is the credential id; `connector_type` is the integration type.
 */
import { dataAs } from "./event-data.js";
import { anyObject, closedObject, constant, jsonPatch, nullableText, schemaTitle, text, } from "./schema-helpers.js";
import { wireName } from "./wire-names.js";
/** The payload for a type; null for types without a workspace name. */
function renderPayload(event) {
    const id = event.credentialId ?? null;
    const connectorType = event.integration?.type ?? null;
    switch (event.type) {
        case 'record.created':
        case 'record.deleted': {
            const { recordId, model } = dataAs(event.data);
            return { id, resource_id: recordId, type: model };
        }
        case 'record.updated': {
            // Producers other than the change feed may leave diff or record out; null says
            // "not known", where an empty list would claim nothing changed.
            const { recordId, model, diff, record } = dataAs(event.data);
            return { id, resource_id: recordId, type: model, diff: diff ?? null, data: record ?? null };
        }
        case 'integration.installed': {
            const { metadata } = dataAs(event.data);
            return {
                id,
                connector_type: connectorType,
                metadata: metadata ?? {},
                state: event.state ?? null,
            };
        }
        case 'sync.completed':
            return { id, connector_type: connectorType };
        case 'credential.failed':
            return { id, error: dataAs(event.data).error };
        case 'credential.fixed':
            return { id };
        case 'webhook.test':
            return { test: true };
        default:
            return null;
    }
}
/**
 * Renders an event in the workspace format; null when the format has no name for it.
 * Reads `project.id`, `userId`, `state`, `credentialId` and `integration.type`.
 *
 * @example
 * renderWorkspace(event) // { workspace_id, customer_id, event: 'integration_new_data_model', state, payload }
 */
export function renderWorkspace(event) {
    const name = wireName('workspace', event.type);
    const payload = renderPayload(event);
    if (name === null || payload === null)
        return null;
    return {
        workspace_id: event.project.id,
        customer_id: event.userId ?? null,
        event: name,
        state: event.state ?? null,
        payload,
    };
}
const recordPayload = closedObject({ id: nullableText, resource_id: text, type: text }, [
    'id',
    'resource_id',
    'type',
]);
const payloads = {
    'record.created': recordPayload,
    'record.deleted': recordPayload,
    'record.updated': closedObject({
        id: nullableText,
        resource_id: text,
        type: text,
        diff: { anyOf: [jsonPatch, { type: 'null' }] },
        data: { anyOf: [anyObject, { type: 'null' }] },
    }, ['id', 'resource_id', 'type', 'diff', 'data']),
    'integration.installed': closedObject({ id: nullableText, connector_type: nullableText, metadata: anyObject, state: nullableText }, ['id', 'connector_type', 'metadata', 'state']),
    'sync.completed': closedObject({ id: nullableText, connector_type: nullableText }, [
        'id',
        'connector_type',
    ]),
    'credential.failed': closedObject({ id: nullableText, error: text }, ['id', 'error']),
    'credential.fixed': closedObject({ id: nullableText }, ['id']),
    'webhook.test': closedObject({ test: constant(true) }, ['test']),
};
/**
 * The JSON Schema of the workspace body for a type; null when the format has no name for it.
 *
 * @example
 * workspaceBodySchema('credential.fixed')?.title // 'WorkspaceIntegrationOauthTokenFixed'
 */
export function workspaceBodySchema(type) {
    const name = wireName('workspace', type);
    const payload = payloads[type];
    if (name === null || payload === undefined)
        return null;
    return {
        title: schemaTitle('workspace', name),
        ...closedObject({
            workspace_id: text,
            customer_id: nullableText,
            event: constant(name),
            state: nullableText,
            payload,
        }, ['workspace_id', 'customer_id', 'event', 'state', 'payload']),
    };
}
