/**
 * Secrets at rest: the SecretBox that seals credential tokens, trigger secrets and values,
 * integration tokens and destination secrets, the contract a feature's sealed table meets, and
 * the key rotation over such tables. A leaf: it imports no feature, so every feature can use it.
 * @example const box = createSecretBox({ secretKey, dataDir, embedded: db.kind === 'pglite' })
 */
export { createSecretBox, isSealed, type SecretBox } from './secret-box.ts'
export type { SealedTable, SealedValue } from './sealed-table.ts'
export { rotateSecretKey, type RotationProgress, type TableRotation } from './rotate-key.ts'
