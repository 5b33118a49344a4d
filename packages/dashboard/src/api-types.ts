/*
 * The API shapes the dashboard reads, under the dashboard's names: every one is the SDK's type,
 * generated from the server's schemas (`GET /openapi.json`); none is written by hand here.
 * Not deleted yet: 25 files import these names (Destination for DestinationOut, Page for
 * ListResponse…), and a few are derived (PresetTemplate, PresetName, TriggerRequestTemplate)
 * with no named SDK type. What still differs from the wire, by design: a test's result
 * (TestResult) has no attempt id or number, so AttemptView takes an attempt without them.
 * Terms: an *event* is one fact (`record.created`); a *destination* is where events go; a
 * *delivery* is one event to one destination; an *attempt* is one HTTP request of a delivery.
 */

import type * as S from '@switchyard/sdk'

/** One page of any list: pass `nextCursor` back as `cursor` for the next one. */
export type Page<T> = S.ListResponse<T>

// The enums and their lists are the SDK's: generated from /openapi.json, the lists checked
// against the generated types by the compiler.
export {
  deliveryStatuses,
  inboundOutcomes,
  syncStatuses,
  wireFormats,
  type DeliveryStatus,
  type InboundOutcome,
  type SyncStatus,
  type WireFormat,
} from '@switchyard/sdk'

export type DestinationType = S.DestinationOut['type']

/** A preset and its options; secret options read back as `[redacted]`. */
export type PresetTemplate = Extract<NonNullable<S.DestinationOut['template']>, { preset: unknown }>
export type PresetName = PresetTemplate['preset']

/** A custom body (JSON text with `{{ $.event… }}` placeholders), a preset, or null: the event as is. */
export type DestinationTemplate = NonNullable<S.DestinationOut['template']> | null

export type Destination = S.DestinationOut

export type DestinationIn = S.DestinationIn

export type Delivery = S.DeliverySummaryOut

export type ErrorClass = S.ErrorClass

export type Attempt = S.AttemptOut

export type TestResult = S.DestinationTestOut

export type DeliveryDetail = S.DeliveryOut

export type EventOut = S.EventOut

export type EventType = S.EventTypeOut

export type Settings = S.SettingsOut

export type Sync = S.SyncOut

export type SyncErrorCode = S.SyncErrorCodeOut

/** A subscribe or unsubscribe request of an API setup. */
export type TriggerRequestTemplate = NonNullable<NonNullable<S.TriggerIn['setup']>['subscribe']>

export type TriggerIn = S.TriggerIn

export type Trigger = S.TriggerOut

export type Subscription = S.SubscriptionOut

export type InboundRequest = S.InboundRequestOut

export type TriggerPresets = S.TriggerPresetsOut

export type EventRendering = S.EventRenderingOut
