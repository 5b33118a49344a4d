/**
 * Prometheus metrics: one registry per engine, the recorders that feed it from the features'
 * own reports (dispatcher events, the inbound observer, the publisher's store, the sandbox
 * pool), gauges read from the store at most once per interval, and `GET /metrics`.
 * @example const metrics = createMetrics({ perDestination: false }); app.register(metricsRoutes(metrics, access))
 */
export { createMetrics, type Metrics } from './registry.ts'
export { addStoreGauges } from './gauges.ts'
export {
  countingStore,
  inboundObserver,
  recordDeliveries,
  recordSandboxRuns,
  uuidv7Millis,
} from './recorders.ts'
export { isLoopback, listenForMetrics, mayReadMetrics, metricsRoutes } from './routes.ts'
