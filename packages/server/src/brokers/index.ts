/**
 * Message-broker destinations (RabbitMQ, NATS JetStream, Redis Streams): their settings, and a
 * pool of connections that publishes one signed message and reports the broker's confirmation.
 * @example const pool = createBrokerPool({ allowPrivateTargets }); const result = await pool.publish({ kind, broker, message, timeoutMs, key })
 */
export {
  brokerInSchema,
  brokerKinds,
  brokerOutSchema,
  brokerTarget,
  checkBroker,
  isBrokerKind,
  shownBroker,
  shownBrokerUrl,
  type BrokerIn,
  type BrokerKind,
  type StoredBroker,
} from './config.ts'
export { createBrokerPool, type BrokerPool, type PublishRequest } from './pool.ts'
export type {
  BrokerConnection,
  BrokerDriver,
  BrokerErrorClass,
  BrokerMessage,
  ConnectTarget,
  PublishResult,
} from './types.ts'
