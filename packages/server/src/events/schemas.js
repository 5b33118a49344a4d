/** `POST /v1/events` body; data is checked against the type's schema after this. */
export const eventInSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'data'],
    properties: {
        type: {
            type: 'string',
            minLength: 1,
            maxLength: 100,
            description: 'A canonical event type, e.g. record.created.',
        },
        data: {
            type: 'object',
            description: "The event's data; its shape depends on the type (GET /v1/event-types).",
        },
        userId: { type: 'string', minLength: 1, maxLength: 200 },
        credentialId: { type: 'string', minLength: 1, maxLength: 200 },
        integration: { type: 'string', minLength: 1, maxLength: 100 },
        occurredAt: { type: 'string', format: 'date-time' },
    },
};
export const eventOutSchema = {
    type: 'object',
    required: ['id', 'type', 'occurredAt', 'receivedAt', 'data'],
    properties: {
        id: { type: 'string', format: 'uuid' },
        type: { type: 'string' },
        userId: { type: ['string', 'null'] },
        credentialId: { type: ['string', 'null'] },
        integration: { type: ['string', 'null'] },
        occurredAt: { type: 'string', format: 'date-time' },
        receivedAt: { type: 'string', format: 'date-time' },
        data: { type: 'object', additionalProperties: true },
    },
};
export const idempotencyHeaderSchema = {
    type: 'object',
    properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } },
};
/** The API view of a stored event. */
export function eventOut(row) {
    return {
        id: row.id,
        type: row.type,
        userId: row.user_id,
        credentialId: row.credential_id,
        integration: row.integration,
        occurredAt: row.occurred_at.toISOString(),
        receivedAt: row.received_at.toISOString(),
        data: row.data,
    };
}
