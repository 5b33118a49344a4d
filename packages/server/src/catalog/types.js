/**
 * Types shared by the catalog.
 *
 * - canonical event: one fact with one name (`record.created`), as producers raise it and as
 *   it is stored. Its `data` follows the type's JSON Schema.
 * - wire format: a vocabulary a receiver expects (`managed-sync`, `workspace`, `monitoring`,
 *   `standard`). A destination picks one; the catalog renders each event into it.
 * - wire name: the event's name in a wire format (`record_created`,
 *   `integration_new_data_model`); a format may have no name for a type, and then its
 *   destinations never receive that type.
 */
export {};
