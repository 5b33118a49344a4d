/**
 * Integrations: the project's own app at each provider (name, API base URL) and its developer
 * tokens. Triggers read them through what this file exports.
 * @example const vars = await integrationVars({ db, box }, projectId, 'slack') // { tokens: { clientSecret: '…' }, … }
 */
export { integrationRoutes } from './routes.ts'
export {
  integrationTokenNames,
  integrationTokens,
  integrationVars,
  type IntegrationDeps,
  type IntegrationVars,
  type TokenUse,
} from './integrations.ts'
export { tokenNamePattern } from './schemas.ts'
export { sealedIntegrationTokens } from './sealed-store.ts'
