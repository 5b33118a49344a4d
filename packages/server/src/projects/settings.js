export const defaultDeliverySettings = {
    retrySchedule: [5, 300, 1800, 7200, 18000, 36000, 36000],
    autoDisable: { afterDays: 5, minConsecutiveFailures: 20 },
    retentionDays: 30,
};
/** Reads the effective delivery settings from a project's stored settings. */
export function deliverySettingsOf(stored) {
    return {
        retrySchedule: stored.retrySchedule ?? defaultDeliverySettings.retrySchedule,
        autoDisable: {
            ...defaultDeliverySettings.autoDisable,
            ...(stored.autoDisable ?? {}),
        },
        retentionDays: stored.retentionDays ?? defaultDeliverySettings.retentionDays,
    };
}
export const storedSettingsSchema = {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    retrySchedule: {
        type: 'array',
        minItems: 0,
        maxItems: 20,
        items: { type: 'integer', minimum: 1, maximum: 7 * 24 * 3600 },
        description: 'Seconds to wait before each retry.',
    },
    autoDisable: {
        type: 'object',
        additionalProperties: false,
        properties: {
            afterDays: { type: 'number', minimum: 0.001, maximum: 365 },
            minConsecutiveFailures: { type: 'integer', minimum: 1, maximum: 100000 },
        },
    },
    retentionDays: { type: 'integer', minimum: 1, maximum: 3650 },
};
