export { projectRoutes } from "./routes.js";
export { createProject } from "./projects.js";
export { createKeyResolver, createApiKey } from "./api-keys.js";
export { deliverySettingsOf, defaultDeliverySettings, } from "./settings.js";
export { findProject, countProjects, initInstanceSetting, readInstanceSetting, } from "./store.js";
export { bootstrapEmptyStore, writeCredentialsFile, createInstanceTokenCheck, } from "./bootstrap.js";
