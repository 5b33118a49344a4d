/**
 * Outbound connections to targets a project admin chose (webhook deliveries, inbound API setup,
 * message brokers): one Agent factory and the connect-time private-address check it applies,
 * and for brokers the checked address their clients connect to.
 * @example const agent = createOutboundAgent({ allowPrivateTargets: false, connectTimeoutMs: 30_000 })
 */
export { createOutboundAgent } from './agent.ts'
export {
  connectAddress,
  createPublicOnlyConnector,
  isPrivateAddress,
  type Lookup,
} from './safe-connect.ts'
