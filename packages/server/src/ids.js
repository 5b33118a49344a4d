import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
/** A new time-ordered id (UUIDv7): sorting by id sorts by creation. */
export function newId() {
    return uuidv7();
}
/** A random secret token: `prefix` + 32 random bytes in base64url. */
export function newToken(prefix) {
    return prefix + randomBytes(32).toString('base64url');
}
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids in URLs are UUIDs; anything else can match no row, so routes answer 404 without a query. */
export function isUuid(value) {
    return uuidPattern.test(value);
}
