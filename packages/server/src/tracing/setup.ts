import type { Logger } from 'pino'
import { version } from '../version.ts'
import { enableSpans } from './spans.ts'

/** What the standard OTEL_* variables ask for; null when tracing is off. */
export interface TracingSettings {
  exporters: ('otlp' | 'console')[]
  protocol: 'http/json' | 'http/protobuf'
  /** Said once at start: a variable that was set but cannot be honoured. */
  warnings: string[]
}

/** The process's tracer provider, once started: engines flush it when they close. */
export interface Tracing {
  settings: TracingSettings
  flush(): Promise<void>
  shutdown(): Promise<void>
}

/**
 * Reads the OpenTelemetry environment variables. Off unless an exporter is configured:
 * OTEL_TRACES_EXPORTER=otlp|console, or (the variable unset) an OTLP endpoint
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). The spec's default
 * exporter is otlp; an engine that sent spans to localhost:4318 because nothing was set would
 * surprise whoever never asked for traces. OTEL_SDK_DISABLED=true turns everything off.
 * @example tracingSettingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }) // { exporters: ['otlp'], protocol: 'http/protobuf', … }
 */
export function tracingSettingsOf(env: NodeJS.ProcessEnv): TracingSettings | null {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return null
  const warnings: string[] = []
  const named = env['OTEL_TRACES_EXPORTER']?.trim()
  const endpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? env['OTEL_EXPORTER_OTLP_ENDPOINT']
  const asked = named
    ? named.split(',').map((e) => e.trim().toLowerCase())
    : endpoint
      ? ['otlp']
      : []
  const exporters: TracingSettings['exporters'] = []
  for (const exporter of asked) {
    if (exporter === 'otlp' || exporter === 'console') exporters.push(exporter)
    else if (exporter !== 'none' && exporter !== '')
      warnings.push(`OTEL_TRACES_EXPORTER "${exporter}" is not supported (otlp, console); ignored`)
  }
  if (exporters.length === 0 || asked.includes('none')) return null
  const protocol = (
    env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ??
    env['OTEL_EXPORTER_OTLP_PROTOCOL'] ??
    'http/protobuf'
  ).trim()
  if (protocol === 'http/json' || protocol === 'http/protobuf')
    return { exporters, protocol, warnings }
  warnings.push(
    `OTEL_EXPORTER_OTLP_PROTOCOL "${protocol}" is not supported (http/protobuf, http/json); using http/protobuf (the collector's port 4318)`,
  )
  return { exporters, protocol: 'http/protobuf', warnings }
}

let started: Promise<Tracing | null> | null = null

/**
 * Starts the OpenTelemetry SDK for this process when the environment asks for it: a
 * NodeTracerProvider (AsyncLocalStorage context, W3C trace context and baggage propagation, the
 * sampler of OTEL_TRACES_SAMPLER), a batch processor per exporter, the resource of
 * OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (service.name `switchyard` by default). The SDK
 * is imported only then: with tracing off no module of it is loaded and every span helper is a
 * plain call (spans.ts). Once per process: the engines a process starts (tests start several)
 * share the global provider.
 * @returns null when tracing is off
 */
export function startTracing(env: NodeJS.ProcessEnv, log: Logger): Promise<Tracing | null> {
  started ??= (async () => {
    const settings = tracingSettingsOf(env)
    if (!settings) return null
    for (const warning of settings.warnings) log.warn(warning)
    const tracing = await loadSdk(settings)
    log.info({ exporters: settings.exporters, protocol: settings.protocol }, 'tracing on')
    return tracing
  })()
  return started
}

async function loadSdk(settings: TracingSettings): Promise<Tracing> {
  const [node, resources] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
  ])
  const exporters = await Promise.all(
    settings.exporters.map(async (name) => {
      if (name === 'console') return new node.ConsoleSpanExporter()
      // Both read OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT, _COMPRESSION.
      const { OTLPTraceExporter } =
        settings.protocol === 'http/json'
          ? await import('@opentelemetry/exporter-trace-otlp-http')
          : await import('@opentelemetry/exporter-trace-otlp-proto')
      return new OTLPTraceExporter()
    }),
  )
  // Later resources win: the defaults, then ours, then what OTEL_* variables say.
  const resource = resources
    .defaultResource()
    .merge(
      resources.resourceFromAttributes({
        'service.name': 'switchyard',
        'service.version': version,
      }),
    )
    .merge(resources.detectResources({ detectors: [resources.envDetector] }))
  // The batch processor reads OTEL_BSP_* (delay, queue and batch sizes).
  const provider = new node.NodeTracerProvider({
    resource,
    spanProcessors: exporters.map((exporter) => new node.BatchSpanProcessor(exporter)),
  })
  provider.register()
  enableSpans()
  return {
    settings,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  }
}
