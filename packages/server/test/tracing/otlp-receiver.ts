import http from 'node:http'
import type { AddressInfo } from 'node:net'

/*
 * An OTLP/HTTP trace receiver on loopback, as a collector would be: it decodes what the
 * engine's exporter posts to /v1/traces, OTLP/JSON or protobuf, into plain spans. The protobuf
 * reader is the wire format itself (varints and length-delimited fields): neither
 * @opentelemetry/otlp-transformer nor a protobufjs root is installed to decode requests.
 */

export interface ReceivedSpan {
  traceId: string
  spanId: string
  /** '' for a root span. */
  parentSpanId: string
  name: string
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  kind: number
  attributes: Record<string, string | number | boolean>
  links: { traceId: string; spanId: string }[]
  /** The resource's attributes (service.name…): which process sent it. */
  resource: Record<string, string | number | boolean>
  /** How it arrived. */
  encoding: 'json' | 'protobuf'
}

export interface OtlpReceiver {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (exporters add /v1/traces). */
  url: string
  spans: ReceivedSpan[]
  /** Every request it got (path and content type). */
  requests: { path: string; contentType: string }[]
  close(): Promise<void>
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
  const requests: OtlpReceiver['requests'] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const contentType = req.headers['content-type'] ?? ''
      requests.push({ path: req.url ?? '', contentType })
      const body = Buffer.concat(chunks)
      try {
        spans.push(
          ...(contentType.includes('json')
            ? fromJson(JSON.parse(body.toString()))
            : fromProto(body)),
        )
      } catch (error) {
        res.writeHead(400).end(String(error))
        return
      }
      res
        .writeHead(200, { 'content-type': contentType })
        .end(contentType.includes('json') ? '{}' : '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

type JsonValue = {
  stringValue?: string
  boolValue?: boolean
  intValue?: string | number
  doubleValue?: number
}
type JsonKeyValue = { key: string; value: JsonValue }

function jsonAttributes(list: JsonKeyValue[] = []): ReceivedSpan['attributes'] {
  return Object.fromEntries(
    list.map(({ key, value }) => [
      key,
      value.stringValue ??
        value.boolValue ??
        (value.intValue !== undefined ? Number(value.intValue) : (value.doubleValue ?? '')),
    ]),
  )
}

/** OTLP/JSON: ids are hex strings. */
function fromJson(request: any): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((rs: any) => {
    const resource = jsonAttributes(rs.resource?.attributes)
    return (rs.scopeSpans ?? []).flatMap((ss: any) =>
      (ss.spans ?? []).map((s: any) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? '',
        name: s.name,
        kind: s.kind,
        attributes: jsonAttributes(s.attributes),
        links: (s.links ?? []).map((l: any) => ({ traceId: l.traceId, spanId: l.spanId })),
        resource,
        encoding: 'json' as const,
      })),
    )
  })
}

/** A message's fields by number: varints as bigint, length-delimited as bytes. */
function fields(buf: Buffer): Map<number, (bigint | Buffer)[]> {
  const out = new Map<number, (bigint | Buffer)[]>()
  let at = 0
  const varint = (): bigint => {
    let result = 0n
    let shift = 0n
    for (;;) {
      const byte = buf[at++]!
      result |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return result
      shift += 7n
    }
  }
  while (at < buf.length) {
    const tag = varint()
    const field = Number(tag >> 3n)
    const wire = Number(tag & 7n)
    let value: bigint | Buffer
    if (wire === 0) value = varint()
    else if (wire === 1) value = buf.subarray(at, (at += 8))
    else if (wire === 5) value = buf.subarray(at, (at += 4))
    else if (wire === 2) {
      const length = Number(varint())
      value = buf.subarray(at, (at += length))
    } else throw new Error(`unsupported wire type ${wire}`)
    out.set(field, [...(out.get(field) ?? []), value])
  }
  return out
}

const bytes = (m: Map<number, (bigint | Buffer)[]>, n: number) => (m.get(n)?.[0] as Buffer) ?? null
const text = (m: Map<number, (bigint | Buffer)[]>, n: number) => bytes(m, n)?.toString() ?? ''
const hex = (m: Map<number, (bigint | Buffer)[]>, n: number) => bytes(m, n)?.toString('hex') ?? ''

/** KeyValue {1 key, 2 AnyValue {1 string, 2 bool, 3 int, 4 double}}. */
function protoAttributes(list: (bigint | Buffer)[] = []): ReceivedSpan['attributes'] {
  return Object.fromEntries(
    list.map((kv) => {
      const pair = fields(kv as Buffer)
      const value = fields(bytes(pair, 2) ?? Buffer.alloc(0))
      const decoded = value.has(1)
        ? text(value, 1)
        : value.has(2)
          ? value.get(2)![0] === 1n
          : value.has(3)
            ? Number(value.get(3)![0] as bigint)
            : value.has(4)
              ? (value.get(4)![0] as Buffer).readDoubleLE()
              : ''
      return [text(pair, 1), decoded]
    }),
  )
}

/**
 * ExportTraceServiceRequest {1 ResourceSpans {1 Resource {1 attributes}, 2 ScopeSpans {2 Span}}};
 * Span {1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 9 attributes, 13 links}.
 */
function fromProto(body: Buffer): ReceivedSpan[] {
  return (fields(body).get(1) ?? []).flatMap((rsBytes) => {
    const rs = fields(rsBytes as Buffer)
    const resource = protoAttributes(fields(bytes(rs, 1) ?? Buffer.alloc(0)).get(1))
    return (rs.get(2) ?? []).flatMap((ssBytes) =>
      (fields(ssBytes as Buffer).get(2) ?? []).map((spanBytes) => {
        const s = fields(spanBytes as Buffer)
        return {
          traceId: hex(s, 1),
          spanId: hex(s, 2),
          parentSpanId: hex(s, 4),
          name: text(s, 5),
          kind: Number((s.get(6)?.[0] as bigint | undefined) ?? 0n),
          attributes: protoAttributes(s.get(9)),
          links: (s.get(13) ?? []).map((l) => {
            const link = fields(l as Buffer)
            return { traceId: hex(link, 1), spanId: hex(link, 2) }
          }),
          resource,
          encoding: 'protobuf' as const,
        }
      }),
    )
  })
}
