export { portalRoutes, type PortalRoutesDeps } from './routes.ts'
export { resolvePortalCredential } from './sessions.ts'
