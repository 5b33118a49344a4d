import {
  anyObject,
  closedObject,
  dateTime,
  epochMs,
  jsonPatch,
  openObject,
  text,
} from './schema-helpers.ts'
import type { CanonicalType, JsonSchema } from './types.ts'

// Step times are what the monitoring format sends as epoch milliseconds; producers may
// also send ISO strings, which the renderer converts.
const instant: JsonSchema = { anyOf: [epochMs, dateTime] }

const recordRef = { syncId: text, model: text, recordId: text, externalId: text }

/**
 * The JSON Schema of `data` for each canonical type (the DESIGN "data per type" table).
 * Objects the table lists exhaustively are closed (`additionalProperties: false`), so a
 * typo in a producer fails at ingest instead of rendering an empty field downstream.
 */
export const dataSchemas: Readonly<Record<CanonicalType, JsonSchema>> = {
  'sync.completed': closedObject(
    { syncId: text, model: text, syncedAt: dateTime, numRecords: { type: 'integer', minimum: 0 } },
    ['syncId', 'model', 'syncedAt', 'numRecords'],
  ),
  'sync.errored': closedObject({ syncId: text, model: text, code: text, message: text }, [
    'syncId',
    'code',
    'message',
  ]),
  'record.created': closedObject(recordRef, ['syncId', 'model', 'recordId']),
  'record.updated': closedObject({ ...recordRef, diff: jsonPatch, record: anyObject }, [
    'syncId',
    'model',
    'recordId',
  ]),
  'record.deleted': closedObject(recordRef, ['syncId', 'model', 'recordId']),
  'record.errored': closedObject(
    { syncId: text, model: text, recordId: text, code: text, message: text },
    ['syncId', 'model', 'message'],
  ),
  'integration.installed': closedObject({ metadata: anyObject }, []),
  'credential.failed': closedObject({ error: text }, ['error']),
  'credential.fixed': closedObject({}, []),
  'workflow.failed': closedObject(
    {
      workflow: closedObject({ id: text, name: text }, ['id', 'name']),
      execution: closedObject({ id: text }, ['id']),
      step: closedObject({ id: text, instanceId: text, startTime: instant, endTime: instant }, [
        'id',
        'instanceId',
        'startTime',
        'endTime',
      ]),
      error: text,
    },
    ['workflow', 'execution', 'error'],
  ),
  'webhook.test': closedObject({}, []),
  // Open: the inbound receiver may add request details (method, query) later; only the
  // fields the forwarded body needs are required. The payload is whatever the provider sent.
  'trigger.received': openObject(
    {
      triggerId: text,
      trigger: text,
      inboundRequestId: text,
      payload: {},
      // Present when `payload` is the body's bytes in base64: what jsonb cannot hold exactly
      // (U+0000, an unpaired surrogate, bytes that are not UTF-8) travels that way, not lost.
      payloadEncoding: { type: 'string', enum: ['base64'] },
      headers: {
        type: 'object',
        additionalProperties: {
          anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
        },
      },
    },
    ['triggerId', 'trigger', 'inboundRequestId', 'payload', 'headers'],
  ),
  'trigger.failed': closedObject(
    {
      triggerId: text,
      trigger: text,
      inboundRequestId: text,
      reason: text,
      attempts: { type: 'integer', minimum: 1 },
    },
    ['triggerId', 'inboundRequestId', 'reason'],
  ),
  'destination.disabled': closedObject({ destinationId: text, reason: text, url: text }, [
    'destinationId',
    'reason',
  ]),
}
