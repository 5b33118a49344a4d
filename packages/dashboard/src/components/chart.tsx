import type { MinuteBucket } from '../stats.ts'

const series = [
  { key: 'succeeded', label: 'Succeeded', className: 'fill-good' },
  { key: 'retrying', label: 'Retrying', className: 'fill-warn' },
  { key: 'failed', label: 'Failed', className: 'fill-bad' },
  { key: 'pending', label: 'Pending or held', className: 'fill-info' },
] as const

const width = 720
const height = 180
const pad = { top: 10, right: 8, bottom: 22, left: 34 }

function niceMax(value: number): number {
  if (value <= 4) return 4
  const magnitude = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude
  return value
}

const clock = (ms: number) =>
  new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })

/** Stacked bars, one per minute: how many deliveries were created then, by how they went. */
export function DeliveriesChart({ buckets }: { buckets: MinuteBucket[] }) {
  const totals = buckets.map((b) => b.succeeded + b.retrying + b.failed + b.pending)
  const max = niceMax(Math.max(0, ...totals))
  const plotW = width - pad.left - pad.right
  const plotH = height - pad.top - pad.bottom
  const slot = plotW / Math.max(buckets.length, 1)
  const barW = Math.max(1, slot * 0.72)
  const y = (n: number) => pad.top + plotH - (n / max) * plotH
  const ticks = [0, max / 2, max]
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label="Deliveries per minute, last hour"
      >
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.left} x2={width - pad.right} y1={y(t)} y2={y(t)} className="grid" />
            <text x={pad.left - 6} y={y(t) + 4} textAnchor="end" className="axis">
              {Number.isInteger(t) ? t : t.toFixed(1)}
            </text>
          </g>
        ))}
        {buckets.map((bucket, i) => {
          let base = 0
          const x = pad.left + i * slot + (slot - barW) / 2
          const total = totals[i] ?? 0
          return (
            <g key={bucket.start}>
              <title>
                {`${clock(bucket.start)}: ${total} deliveries` +
                  series.map((s) => (bucket[s.key] ? `, ${bucket[s.key]} ${s.key}` : '')).join('')}
              </title>
              <rect
                x={pad.left + i * slot}
                y={pad.top}
                width={slot}
                height={plotH}
                className="hover-slot"
              />
              {series.map((s) => {
                const n = bucket[s.key]
                if (!n) return null
                const top = y(base + n)
                const rect = (
                  <rect
                    key={s.key}
                    x={x}
                    y={top}
                    width={barW}
                    height={y(base) - top}
                    className={s.className}
                    rx={1}
                  />
                )
                base += n
                return rect
              })}
            </g>
          )
        })}
        {[0, Math.floor(buckets.length / 2), buckets.length - 1].map((i) => {
          const bucket = buckets[i]
          if (!bucket) return null
          return (
            <text
              key={i}
              x={
                i === 0
                  ? pad.left
                  : i === buckets.length - 1
                    ? width - pad.right
                    : pad.left + i * slot + slot / 2
              }
              y={height - 6}
              textAnchor={i === 0 ? 'start' : i === buckets.length - 1 ? 'end' : 'middle'}
              className="axis"
            >
              {clock(bucket.start)}
            </text>
          )
        })}
      </svg>
      <figcaption className="legend">
        {series.map((s) => (
          <span key={s.key}>
            <i className={`swatch ${s.className}`} />
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  )
}
