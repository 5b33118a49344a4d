import type { Delivery, Destination } from '../api-types.ts'
import type { Paged } from '../hooks.ts'
import { Button, Pill, type Tone } from './ui.tsx'

/** A delivery's state as people read it: a pending delivery that has failed once is retrying. */
export function deliveryState(d: Pick<Delivery, 'status' | 'attemptCount'>): {
  label: string
  tone: Tone
} {
  switch (d.status) {
    case 'succeeded':
      return { label: 'succeeded', tone: 'good' }
    case 'failed':
      return { label: 'failed', tone: 'bad' }
    case 'held':
      return { label: 'held', tone: 'muted' }
    case 'coalesced':
      return { label: 'coalesced', tone: 'muted' }
    case 'pending':
      return d.attemptCount > 0
        ? { label: 'retrying', tone: 'warn' }
        : { label: 'pending', tone: 'info' }
  }
}

export function DeliveryStatus({
  delivery,
}: {
  delivery: Pick<Delivery, 'status' | 'attemptCount'>
}) {
  const { label, tone } = deliveryState(delivery)
  return <Pill tone={tone}>{label}</Pill>
}

/** Healthy, failing (its last attempts failed), paused (probed back to health) or disabled. */
export function destinationState(d: Destination): { label: string; tone: Tone; title?: string } {
  if (d.status === 'paused')
    return { label: 'paused', tone: 'warn', title: d.disabledReason ?? undefined }
  if (!d.enabled) return { label: 'disabled', tone: 'bad', title: d.disabledReason ?? undefined }
  if ((d.consecutiveFailures ?? 0) > 0)
    return {
      label: 'failing',
      tone: 'warn',
      title: `${d.consecutiveFailures} failed attempts in a row`,
    }
  return { label: 'healthy', tone: 'good' }
}

export function DestinationStatus({ destination }: { destination: Destination }) {
  const { label, tone, title } = destinationState(destination)
  return (
    <Pill tone={tone} title={title}>
      {label}
    </Pill>
  )
}

/** Newer / Older buttons for a list read with `nextCursor`. */
export function Pager({ paged }: { paged: Paged<unknown> }) {
  if (!paged.newer && !paged.older) return null
  return (
    <nav className="pager" aria-label="Pages">
      <Button variant="quiet" disabled={!paged.newer} onClick={() => paged.newer?.()}>
        ← Newer
      </Button>
      <span className="muted">Page {paged.pageNumber}</span>
      <Button variant="quiet" disabled={!paged.older} onClick={() => paged.older?.()}>
        Older →
      </Button>
    </nav>
  )
}
