import type { Trigger, TriggerIn, TriggerPresets, TriggerRequestTemplate } from './api-types.ts'
import { toHeaders, toRows, type HeaderRow } from './components/headers-editor.tsx'

/*
 * The trigger editor's state and its mapping to and from the API's trigger definition
 * (DESIGN.md, "Inbound triggers"): basic info, setup, response, routing, verification.
 */

export interface RequestForm {
  method: TriggerRequestTemplate['method']
  url: string
  headers: HeaderRow[]
  body: string
  persist: HeaderRow[]
}

export interface TriggerForm {
  integration: string
  name: string
  level: 'app' | 'user'
  setupMode: 'manual' | 'api'
  subscribe: RequestForm
  unsubscribe: RequestForm
  responseKind: 'default' | 'preset' | 'static' | 'code'
  responsePreset: string
  responseStatus: string
  responseBody: string
  responseCode: string
  routingFrom: 'none' | 'body' | 'header' | 'query'
  routingPath: string
  verificationKind: 'none' | 'preset' | 'code'
  verificationPreset: string
  /** One secret per line. */
  secrets: string
  /** The preset's other fields, as JSON. */
  verificationOptions: string
  verificationCode: string
}

/** The parts of a definition, each sent on edit only when changed (secrets come back masked). */
export type Section = 'basics' | 'setup' | 'response' | 'routing' | 'verification'

/** What each step of the editor gets: the form, a patcher for it, and the presets it offers. */
export interface StepProps {
  form: TriggerForm
  set: (patch: Partial<TriggerForm>) => void
  presets: TriggerPresets | undefined
}

const blankRequest: RequestForm = { method: 'POST', url: '', headers: [], body: '', persist: [] }

export const blankTrigger: TriggerForm = {
  integration: '',
  name: '',
  level: 'app',
  setupMode: 'manual',
  subscribe: blankRequest,
  unsubscribe: { ...blankRequest, method: 'DELETE' },
  responseKind: 'default',
  responsePreset: '',
  responseStatus: '200',
  responseBody: '',
  responseCode: '',
  routingFrom: 'none',
  routingPath: '$.team_id',
  verificationKind: 'none',
  verificationPreset: '',
  secrets: '',
  verificationOptions: '',
  verificationCode: '',
}

function parseJson(text: string, where: string): unknown {
  if (!text.trim()) return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new Error(`${where} is not valid JSON.`)
  }
}

function requestIn(form: RequestForm, where: string): TriggerRequestTemplate {
  const body = parseJson(form.body, `${where} body`)
  const persist = toHeaders(form.persist)
  return {
    method: form.method,
    url: form.url.trim(),
    ...(form.headers.length ? { headers: toHeaders(form.headers) } : {}),
    ...(body === undefined ? {} : { body }),
    ...(Object.keys(persist).length ? { persist } : {}),
  }
}

function responseIn(form: TriggerForm): TriggerIn['response'] {
  switch (form.responseKind) {
    case 'default':
      return null
    case 'preset':
      if (!form.responsePreset) throw new Error('Choose a handshake preset (step 3).')
      return form.responsePreset
    case 'code':
      return { code: form.responseCode }
    case 'static': {
      const body = parseJson(form.responseBody, 'The response body')
      return { status: Number(form.responseStatus) || 200, ...(body === undefined ? {} : { body }) }
    }
  }
}

type SecretRef = NonNullable<NonNullable<TriggerIn['verification']>['secrets']>[number]

function verificationIn(form: TriggerForm): TriggerIn['verification'] {
  if (form.verificationKind === 'none') return null
  const secrets = form.secrets
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    // A line like {"from": "credential", "key": "signingSecret"} names a secret stored elsewhere.
    // The server checks its shape ({from, key}) and answers validation_failed otherwise.
    .map((s) => (s.startsWith('{') ? (parseJson(s, 'A secret reference') as SecretRef) : s))
  if (form.verificationKind === 'code') return { code: form.verificationCode, secrets }
  if (!form.verificationPreset) throw new Error('Choose a verification preset (step 5).')
  const options = parseJson(form.verificationOptions, 'The verification options') ?? {}
  return { ...(options as object), preset: form.verificationPreset, secrets }
}

/** The definition, or only the changed sections of it when `changed` is given (an edit). */
export function toTriggerIn(form: TriggerForm, changed?: ReadonlySet<Section>): Partial<TriggerIn> {
  const all: Record<Section, Partial<TriggerIn>> = {
    basics: { integration: form.integration.trim(), name: form.name.trim(), level: form.level },
    setup: {
      setup:
        form.setupMode === 'manual'
          ? { mode: 'manual' }
          : {
              mode: 'api',
              subscribe: requestIn(form.subscribe, 'The subscribe request'),
              ...(form.unsubscribe.url.trim()
                ? { unsubscribe: requestIn(form.unsubscribe, 'The unsubscribe request') }
                : {}),
            },
    },
    response: { response: responseIn(form) },
    routing: {
      routing:
        form.routingFrom === 'none'
          ? null
          : { from: form.routingFrom, path: form.routingPath.trim() },
    },
    verification: { verification: verificationIn(form) },
  }
  const sections = (Object.keys(all) as Section[]).filter((s) => !changed || changed.has(s))
  return Object.assign({}, ...sections.map((s) => all[s])) as Partial<TriggerIn>
}

function requestForm(
  template: NonNullable<Trigger['setup']>['subscribe'],
  fallback: RequestForm,
): RequestForm {
  if (!template) return fallback
  return {
    method: template.method,
    url: template.url,
    headers: toRows(template.headers),
    body: template.body === undefined ? '' : JSON.stringify(template.body, null, 2),
    persist: toRows(template.persist),
  }
}

/** The editor's state for a saved trigger. */
export function fromTrigger(t: Trigger): TriggerForm {
  const response = (typeof t.response === 'string' ? { preset: t.response } : t.response) ?? null
  const {
    preset: vPreset,
    code: vCode,
    secrets,
    ...vOptions
  } = (t.verification ?? {}) as {
    preset?: string
    code?: string
    secrets?: unknown[]
  }
  return {
    ...blankTrigger,
    integration: t.integration,
    name: t.name,
    level: t.level,
    setupMode: t.setup?.mode ?? 'manual',
    subscribe: requestForm(t.setup?.subscribe, blankTrigger.subscribe),
    unsubscribe: requestForm(t.setup?.unsubscribe, blankTrigger.unsubscribe),
    responseKind: !response
      ? 'default'
      : response.code
        ? 'code'
        : response.preset
          ? 'preset'
          : 'static',
    responsePreset: String(response?.preset ?? ''),
    responseStatus: String(response?.status ?? 200),
    responseBody: response?.body === undefined ? '' : JSON.stringify(response.body, null, 2),
    responseCode: String(response?.code ?? ''),
    routingFrom: t.routing?.from ?? 'none',
    routingPath: t.routing?.path ?? blankTrigger.routingPath,
    verificationKind: !t.verification ? 'none' : vCode ? 'code' : 'preset',
    verificationPreset: vPreset ?? '',
    secrets: (secrets ?? []).map((s) => (typeof s === 'string' ? s : JSON.stringify(s))).join('\n'),
    verificationOptions: Object.keys(vOptions).length ? JSON.stringify(vOptions, null, 2) : '',
    verificationCode: vCode ?? '',
  }
}
