import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

/*
 * Every metric Switchyard exports, in one registry per engine (tests run several engines in one
 * process; the default registry would mix them). docs/operations.md lists each with what to
 * alert on. Label values come from closed sets (outcomes, error classes, formats, destination
 * types, event types) or from project ids; destination ids only where the operator opts in
 * (`SWITCHYARD_METRICS_PER_DESTINATION`), since a project may hold thousands of destinations.
 */

// 1 ms to 60 s: a loopback receiver answers in about a millisecond, a destination's timeout
// is at most 60 s, and a retry's latency runs into minutes (the last bucket is +Inf).
const secondsBuckets = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
]

/** The engine's instruments; features record into them, `/metrics` reads the registry. */
export interface Metrics {
  registry: Registry
  /** Per destination (true) or per project (false) for destination health. */
  perDestination: boolean
  attempts: Counter<'outcome' | 'error_class' | 'format' | 'destination_type'>
  deliveriesDone: Counter<'status' | 'format' | 'destination_type'>
  attemptSeconds: Histogram
  deliveredSeconds: Histogram
  destinationStops: Counter<'state'>
  eventsPublished: Counter<'type'>
  inboundRequests: Counter<'outcome' | 'reason'>
  inboundRouted: Counter<'outcome'>
  sandboxRunSeconds: Histogram
}

/**
 * @example const metrics = createMetrics({ perDestination: false }); await metrics.registry.metrics()
 */
export function createMetrics(options: { perDestination: boolean }): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  return {
    registry,
    perDestination: options.perDestination,
    attempts: new Counter({
      name: 'switchyard_attempts_total',
      help: 'Attempts made, by outcome (delivered, failed, gone), error class, format and destination type.',
      labelNames: ['outcome', 'error_class', 'format', 'destination_type'],
      registers,
    }),
    deliveriesDone: new Counter({
      name: 'switchyard_deliveries_completed_total',
      help: 'Deliveries that reached an end: succeeded, or failed after their last attempt (or a 410).',
      labelNames: ['status', 'format', 'destination_type'],
      registers,
    }),
    attemptSeconds: new Histogram({
      name: 'switchyard_attempt_duration_seconds',
      help: "An attempt's own duration: connect, send, and the receiver's answer.",
      buckets: secondsBuckets,
      registers,
    }),
    deliveredSeconds: new Histogram({
      name: 'switchyard_delivery_latency_seconds',
      help: 'From the event accepted to its delivery succeeding (retries included), per delivery.',
      buckets: secondsBuckets,
      registers,
    }),
    destinationStops: new Counter({
      name: 'switchyard_destination_stops_total',
      help: 'Destinations this process paused (failure rule) or disabled (410 Gone).',
      labelNames: ['state'],
      registers,
    }),
    eventsPublished: new Counter({
      name: 'switchyard_events_published_total',
      help: 'Events stored by this process, by type (record.created… count sync records by change kind).',
      labelNames: ['type'],
      registers,
    }),
    inboundRequests: new Counter({
      name: 'switchyard_inbound_requests_total',
      help: '/hooks requests answered, by outcome (accepted, rejected, handshake, error) and reason.',
      labelNames: ['outcome', 'reason'],
      registers,
    }),
    inboundRouted: new Counter({
      name: 'switchyard_inbound_routed_total',
      help: 'Accepted /hooks requests routed, by outcome (routed, unrouted, held).',
      labelNames: ['outcome'],
      registers,
    }),
    sandboxRunSeconds: new Histogram({
      name: 'switchyard_sandbox_run_duration_seconds',
      help: "Custom-code runs on the sandbox threads, from a thread's start of the run to its end.",
      buckets: secondsBuckets,
      registers,
    }),
  }
}

/** A gauge whose values a periodic read sets (`collect` runs at each scrape). */
export function gauge<L extends string>(
  metrics: Metrics,
  spec: {
    name: string
    help: string
    labelNames: readonly L[]
    collect: (g: Gauge<L>) => void | Promise<void>
  },
): Gauge<L> {
  return new Gauge<L>({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames,
    registers: [metrics.registry],
    collect() {
      return spec.collect(this)
    },
  })
}
