import type { StepProps } from '../trigger-form-model.ts'
import { FieldDocs, PresetSelect, Radio, Text } from './form-fields.tsx'

/*
 * Four of the five steps of the trigger editor (the setup step is trigger-setup-step.tsx). Each
 * edits part of one TriggerForm through `set`.
 */

export function BasicsStep({ form, set }: StepProps) {
  return (
    <>
      <Text
        label="Integration"
        value={form.integration}
        placeholder="slack"
        onChange={(integration) => set({ integration })}
      />
      <Text
        label="Name"
        value={form.name}
        placeholder="message_posted"
        onChange={(name) => set({ name })}
      />
      <Radio
        name="Level"
        value={form.level}
        onChange={(level) => set({ level })}
        options={[
          [
            'app',
            'App level',
            'One URL for the whole app; routing finds the credentials each request is for.',
          ],
          [
            'user',
            'User level',
            'One URL per credential (…?id={credentialId}): no routing needed.',
          ],
        ]}
      />
    </>
  )
}
export function ResponseStep({ form, set, presets }: StepProps) {
  return (
    <>
      <Radio
        name="Response"
        value={form.responseKind}
        onChange={(responseKind) => set({ responseKind })}
        options={[
          ['default', '200 OK', 'Answer every accepted request with an empty 200.'],
          [
            'preset',
            'Handshake preset',
            "Answer the provider's URL verification (Slack, Microsoft Graph, Zoom…).",
          ],
          ['static', 'Fixed answer', 'A status and body of your choice.'],
          ['code', 'Custom code', 'JavaScript returning {status, headers, body, persist}.'],
        ]}
      />
      {form.responseKind === 'preset' ? (
        <PresetSelect
          label="Preset"
          value={form.responsePreset}
          presets={presets?.response ?? []}
          onChange={(responsePreset) => set({ responsePreset })}
        />
      ) : null}
      {form.responseKind === 'static' ? (
        <>
          <Text
            label="Status"
            value={form.responseStatus}
            onChange={(responseStatus) => set({ responseStatus })}
          />
          <Text
            label="Body (JSON)"
            multiline
            mono
            value={form.responseBody}
            onChange={(responseBody) => set({ responseBody })}
          />
        </>
      ) : null}
      {form.responseKind === 'code' ? (
        <Text
          label="Code"
          multiline
          mono
          value={form.responseCode}
          placeholder={
            'function respond(request) {\n  return { status: 200, body: request.json().challenge }\n}'
          }
          onChange={(responseCode) => set({ responseCode })}
        />
      ) : null}
    </>
  )
}

export function RoutingStep({ form, set }: StepProps) {
  if (form.level === 'user')
    return (
      <p className="muted">
        A user-level trigger's URL names its credential (?id=…): nothing to route.
      </p>
    )
  return (
    <>
      <Radio
        name="Routing"
        value={form.routingFrom}
        onChange={(routingFrom) => set({ routingFrom })}
        options={[
          ['body', 'From the body', 'A JSONPath into the JSON body, e.g. $.team_id.'],
          ['header', 'From a header', 'A header name, e.g. x-account-id.'],
          ['query', 'From the query', 'A query parameter name.'],
          ['none', 'No routing', 'Requests are logged as unrouted.'],
        ]}
      />
      {form.routingFrom !== 'none' ? (
        <Text
          label="Path"
          mono
          value={form.routingPath}
          onChange={(routingPath) => set({ routingPath })}
        />
      ) : null}
      <p className="muted small">
        The value is matched against each credential's providerAccountId; every match gets the
        event.
      </p>
    </>
  )
}

export function VerificationStep({ form, set, presets }: StepProps) {
  const preset = presets?.verification.find((p) => p.name === form.verificationPreset)
  return (
    <>
      <Radio
        name="Verification"
        value={form.verificationKind}
        onChange={(verificationKind) => set({ verificationKind })}
        options={[
          [
            'preset',
            'Signature preset',
            'HMAC presets for the common providers, Standard Webhooks, or generic HMAC.',
          ],
          [
            'code',
            'Custom code',
            'function verify(request, ctx) returning true or {valid, reason}.',
          ],
          ['none', 'None', 'Accept every request (not for production).'],
        ]}
      />
      {form.verificationKind === 'preset' ? (
        <PresetSelect
          label="Preset"
          value={form.verificationPreset}
          presets={(presets?.verification ?? []).filter((p) => p.name !== 'code')}
          onChange={(verificationPreset) => set({ verificationPreset })}
        />
      ) : null}
      {form.verificationKind === 'code' ? (
        <Text
          label="Code"
          multiline
          mono
          value={form.verificationCode}
          onChange={(verificationCode) => set({ verificationCode })}
        />
      ) : null}
      {form.verificationKind !== 'none' ? (
        <>
          <Text
            label="Secrets (one per line; any one verifying is enough)"
            multiline
            mono
            value={form.secrets}
            placeholder={
              '8f742231b10e8888abcd99yyyzzz85a5\n{"from": "credential", "key": "signingSecret"}'
            }
            onChange={(secrets) => set({ secrets })}
          />
          <Text
            label="Other options (JSON)"
            multiline
            mono
            value={form.verificationOptions}
            placeholder='{"toleranceSeconds": 300}'
            onChange={(verificationOptions) => set({ verificationOptions })}
          />
          {preset?.fields ? <FieldDocs fields={preset.fields} /> : null}
        </>
      ) : null}
    </>
  )
}
