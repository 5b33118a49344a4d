/**
 * Outbound HTTP to URLs a project admin chose (deliveries, inbound API setup): one Agent factory
 * and the connect-time private-address check it applies. Nothing else in the engine opens an
 * outbound HTTP connection of its own.
 * @example const agent = createOutboundAgent({ allowPrivateTargets: false, connectTimeoutMs: 30_000 })
 */
export { createOutboundAgent } from './agent.ts'
export { createPublicOnlyConnector, isPrivateAddress, type Lookup } from './safe-connect.ts'
