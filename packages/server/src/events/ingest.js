import { createHash } from 'node:crypto';
import { isCanonicalType, validateEventData } from "../catalog/index.js";
import { apiError, isSqlState, sqlState } from "../errors.js";
import { newId } from "../ids.js";
import { withTransaction } from "../store/index.js";
import { findByIdempotencyKey, insertEvents } from "./store.js";
/**
 * Validates, stores and fans out events in one transaction: all or nothing.
 * A repeated Idempotency-Key with the same body returns the events it created the first time.
 * @returns the stored events and whether they were replayed from an earlier request
 */
export async function ingestEvents(q, input, deps) {
    validateAll(input);
    const requestHash = createHash('sha256').update(JSON.stringify(input.requestBody)).digest('hex');
    if (input.idempotencyKey) {
        const earlier = await replayOf(q, input, requestHash);
        if (earlier)
            return { events: earlier, replayed: true };
    }
    const rows = toNewEvents(input, requestHash, deps.now());
    try {
        const events = await withTransaction(q, async (tx) => {
            const inserted = await insertEvents(tx, rows);
            await deps.fanOut(tx, inserted);
            return inserted;
        });
        return { events: sortLike(events, rows), replayed: false };
    }
    catch (error) {
        // Two requests with one key raced: the loser answers like a retry would.
        if (input.idempotencyKey && isSqlState(error, sqlState.uniqueViolation)) {
            const earlier = await replayOf(q, input, requestHash);
            if (earlier)
                return { events: earlier, replayed: true };
        }
        throw error;
    }
}
function validateAll(input) {
    const unknown = input.events.flatMap((e, i) => isCanonicalType(e.type)
        ? []
        : [{ path: `${input.pathOf(i)}/type`, message: `"${e.type}" is not a known event type` }]);
    if (unknown.length > 0)
        throw apiError('unknown_event_type', undefined, unknown);
    const details = [];
    input.events.forEach((event, i) => {
        const result = validateEventData(event.type, event.data);
        if (!result.ok)
            details.push(...result.errors.map((e) => ({
                path: `${input.pathOf(i)}/data${stripDataRoot(e.path)}`,
                message: e.message,
            })));
        if (event.occurredAt !== undefined && Number.isNaN(Date.parse(event.occurredAt))) {
            details.push({
                path: `${input.pathOf(i)}/occurredAt`,
                message: 'must be an ISO 8601 date-time',
            });
        }
    });
    if (details.length > 0)
        throw apiError('invalid_event_data', undefined, details);
}
// The catalog reports paths from the data root, with or without a leading "/data".
function stripDataRoot(path) {
    if (path === '/')
        return '';
    return path.startsWith('/data') ? path.slice(5) : path;
}
async function replayOf(q, input, requestHash) {
    const earlier = await findByIdempotencyKey(q, input.projectId, input.idempotencyKey);
    if (earlier.length === 0)
        return null;
    if (!earlier.every((e) => e.request_hash === requestHash)) {
        throw apiError('idempotency_conflict', `Idempotency-Key "${input.idempotencyKey}" was already used with a different body; use a new key for a new request.`);
    }
    return earlier;
}
function toNewEvents(input, requestHash, now) {
    const batch = input.events.length > 1;
    return input.events.map((e, i) => ({
        id: newId(),
        projectId: input.projectId,
        type: e.type,
        userId: e.userId ?? null,
        credentialId: e.credentialId ?? null,
        integration: e.integration ?? null,
        occurredAt: e.occurredAt ? new Date(e.occurredAt) : now,
        data: e.data,
        idempotencyKey: input.idempotencyKey
            ? batch
                ? `${input.idempotencyKey}#${i}`
                : input.idempotencyKey
            : null,
        requestHash: input.idempotencyKey ? requestHash : null,
    }));
}
function sortLike(events, order) {
    const index = new Map(order.map((e, i) => [e.id, i]));
    return [...events].sort((a, b) => index.get(a.id) - index.get(b.id));
}
