export { projectRoutes } from './routes.ts'
export { createProject, type ProjectCreatedHook } from './projects.ts'
export { createKeyResolver, createApiKey, hashKey, type KeyResolver } from './api-keys.ts'
export {
  deliverySettingsOf,
  defaultDeliverySettings,
  type DeliverySettings,
  type SettingsExtension,
} from './settings.ts'
export {
  findProject,
  countProjects,
  initInstanceSetting,
  readInstanceSetting,
  type ProjectRow,
} from './store.ts'
export {
  bootstrapEmptyStore,
  writeCredentialsFile,
  recordServerUrl,
  createInstanceTokenCheck,
  type FirstStartCredentials,
} from './bootstrap.ts'
export { pruneByRetention, type RetainedLog } from './retention.ts'
