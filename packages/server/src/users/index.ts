/**
 * Connected users and their credentials. Other features use what this file exports.
 * @example const { row } = await putCredential(deps, { projectId, id }, { userId, integration, status: 'VALID' })
 */
export { userRoutes } from './routes.ts'
export {
  credentialTokens,
  deleteCredential,
  flushCredentialEvents,
  putCredential,
  requireCredential,
  type CredentialDeps,
  type CredentialHooks,
} from './credentials.ts'
export { createCredentialOutbox } from './outbox-worker.ts'
export { sealedCredentialTokens } from './sealed-store.ts'
export { maskToken } from './schemas.ts'
export {
  findCredential,
  findCredentialsByAccount,
  findUser,
  type CredentialRow,
  type CredentialStatus,
  type PendingEvent,
  type UserRow,
} from './store.ts'
export type { CredentialIn } from './transitions.ts'
