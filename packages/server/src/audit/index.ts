export { auditedRoutes, notAudited } from './actions.ts'
export { redactChanges } from './redact.ts'
export { auditRoutes } from './routes.ts'
export { installAuditTrail } from './trail.ts'
