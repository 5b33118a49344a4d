import type { BrokerKind, StoredBroker } from './config.ts'

/** One message to publish: the rendered body and the Standard Webhooks headers that sign it. */
export interface BrokerMessage {
  /** The delivery id, the `webhook-id`: the message id brokers that dedupe use. */
  id: string
  body: string
  headers: Record<string, string>
}

/** Why a publish failed. */
export type BrokerErrorClass = 'connect' | 'auth' | 'not_found' | 'nack' | 'timeout'

/** What a publish came to; a publish never throws for broker or network faults. */
export type PublishResult =
  { ok: true; confirmation: string } | { ok: false; errorClass: BrokerErrorClass; message: string }

/** An open connection to one broker, ready to publish to one destination's target. */
export interface BrokerConnection {
  /** Resolves with the broker's confirmation; rejects with the client's error. */
  publish(message: BrokerMessage, timeoutMs: number): Promise<string>
  /** False once the broker or the network closed it: the pool opens another. */
  readonly open: boolean
  close(): Promise<void>
}

/** Where to connect: the settings, the address the SSRF check let through, a client name. */
export interface ConnectTarget {
  kind: BrokerKind
  broker: StoredBroker
  url: URL
  /** The host's checked address (or the host, when private targets are allowed). */
  address: string
  /** Names the connection on the broker (Redis CLIENT LIST, NATS connz, RabbitMQ's UI). */
  clientName: string
  timeoutMs: number
}

/**
 * What a broker kind implements to be a destination type (Kafka, SQS, EventBridge and Pub/Sub
 * would each be one more): open a connection that publishes one message and answers with the
 * broker's confirmation, and say which error class a client error is.
 */
export interface BrokerDriver {
  connect(target: ConnectTarget): Promise<BrokerConnection>
  classify(error: unknown): { errorClass: BrokerErrorClass; message: string }
}
