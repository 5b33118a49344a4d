import type { StoredBroker } from '../brokers/index.ts'
import { isSealed, type SecretBox } from '../secrets/index.ts'
import { destinationOut, shownUrl } from './schemas.ts'
import type { DestinationRow } from './store.ts'
import { presets, resolvePreset, type PresetName, type StoredPreset } from './templates/index.ts'

/*
 * A destination's secrets at rest: the `whsec_` signing secret (and the previous one during a
 * rotation's grace), every custom header value, and a preset's secret options are sealed with
 * the SecretBox; a preset whose URL is its secret (Slack) keeps only the URL as reads show it
 * (`https://hooks.slack.com/[redacted]`) in `url`, the real one lives sealed in the preset.
 *
 * Rows written before sealing hold plain text; a value without the `v1.` prefix opens as itself
 * and is sealed on the destination's next write or by `switchyard secrets rotate-key`. A SQL
 * migration cannot seal (the key is the process's, not the database's), and a pass at start
 * would make every process of an installation scan and rewrite the table while others serve.
 */

/** The columns of a destination (or a claimed delivery's copy of them) that hold secrets. */
export interface SecretParts {
  url: string | null
  secret: string
  previous_secret: string | null
  /** Not a secret; travels with `previous_secret` so `signingSecrets` can take these parts. */
  previous_secret_expires_at: Date | null
  headers: Record<string, string>
  preset: StoredPreset | null
  /** Broker destinations: the connection URL is sealed (it may carry a password or token). */
  broker?: StoredBroker | null
}

/** Encryption contexts: a sealed value opens only for the destination (and field) it was sealed for. */
export const destinationContexts = {
  // Current and previous share one: rotation moves the sealed value from one column to the other.
  secret: (id: string) => `destination-secret:${id}`,
  header: (id: string, name: string) => `destination-header:${id}:${name}`,
  preset: (id: string, option: string) => `destination-preset:${id}:${option}`,
  broker: (id: string) => `destination-broker:${id}`,
}

/**
 * Seals the secrets of a destination about to be written; `secret` may be left out (updates).
 * @example const sealed = await sealDestination(box, id, { headers, preset, url })
 */
export async function sealDestination<T extends Partial<SecretParts>>(
  box: SecretBox,
  id: string,
  parts: T,
): Promise<T> {
  const seal = (value: string, context: string) => box.seal(value, context)
  const sealed = { ...parts }
  if (parts.secret !== undefined)
    sealed.secret = await seal(parts.secret, destinationContexts.secret(id))
  if (parts.previous_secret)
    sealed.previous_secret = await seal(parts.previous_secret, destinationContexts.secret(id))
  if (parts.headers) sealed.headers = await mapHeaders(parts.headers, id, seal)
  if (parts.broker)
    sealed.broker = {
      ...parts.broker,
      url: await seal(parts.broker.url, destinationContexts.broker(id)),
    }
  if (parts.preset) {
    sealed.preset = await mapSecretOptions(parts.preset, id, seal)
    if (parts.url !== undefined) sealed.url = shownUrl({ url: parts.url, preset: parts.preset })
  }
  return sealed
}

/**
 * The row with its secrets in plain text, ready to sign, send or show. Legacy plain-text values
 * open as themselves.
 * @throws secret_key_unknown when a value opens with no configured key
 * @example const opened = await openDestination(box, row.id, row)
 */
export async function openDestination<T extends SecretParts>(
  box: SecretBox,
  id: string,
  row: T,
): Promise<T> {
  const open = (value: string, context: string) =>
    isSealed(value) ? box.open(value, context) : Promise.resolve(value)
  const context = destinationContexts.secret(id)
  const preset = row.preset ? await mapSecretOptions(row.preset, id, open) : null
  return {
    ...row,
    secret: await open(row.secret, context),
    previous_secret: row.previous_secret ? await open(row.previous_secret, context) : null,
    headers: await mapHeaders(row.headers, id, open),
    preset,
    url: preset && secretUrlPreset(preset) ? presetUrl(preset, row.url) : row.url,
    ...(row.broker ? { broker: await openBroker(row.broker, id, open) } : {}),
  }
}

async function openBroker(
  broker: StoredBroker,
  id: string,
  open: Transform,
): Promise<StoredBroker> {
  return { ...broker, url: await open(broker.url, destinationContexts.broker(id)) }
}

/**
 * The row as API answers need it: header values opened (answers mask credential-carrying ones
 * by name). Preset secrets stay sealed: answers show them as `[redacted]` anyway.
 */
export async function openForRead(box: SecretBox, row: DestinationRow): Promise<DestinationRow> {
  const open = (value: string, context: string) =>
    isSealed(value) ? box.open(value, context) : value
  // The broker URL is opened so the read can show its host; schemas.ts redacts its credentials.
  return {
    ...row,
    headers: await mapHeaders(row.headers, row.id, open),
    broker: row.broker ? await openBroker(row.broker, row.id, open) : null,
  }
}

/**
 * A destination as the API answers it (secret left out, credentials masked).
 * @example return shownDestination(box, row)
 */
export async function shownDestination(box: SecretBox, row: DestinationRow) {
  return destinationOut(await openForRead(box, row))
}

type Transform = (value: string, context: string) => Promise<string> | string

async function mapHeaders(
  headers: Record<string, string>,
  id: string,
  transform: Transform,
): Promise<Record<string, string>> {
  const entries = Object.entries(headers).map(async ([name, value]) => [
    name,
    await transform(value, destinationContexts.header(id, name)),
  ])
  return Object.fromEntries(await Promise.all(entries)) as Record<string, string>
}

/** The preset with each secret option transformed; other options (site, tags) stay readable. */
async function mapSecretOptions(
  preset: StoredPreset,
  id: string,
  transform: Transform,
): Promise<StoredPreset> {
  const options = presets[preset.preset as PresetName]?.options ?? {}
  const entries = Object.entries(preset).map(async ([option, value]) => [
    option,
    options[option]?.secret && typeof value === 'string'
      ? await transform(value, destinationContexts.preset(id, option))
      : value,
  ])
  return Object.fromEntries(await Promise.all(entries)) as StoredPreset
}

function secretUrlPreset(preset: StoredPreset): boolean {
  return presets[preset.preset as PresetName]?.secretUrl === true
}

/** The endpoint an opened preset sends to; the stored URL when the options no longer pass. */
function presetUrl(preset: StoredPreset, stored: string | null): string | null {
  const resolved = resolvePreset(preset, null)
  return resolved.ok ? resolved.preset.url : stored
}
