import type { RequestForm, StepProps } from '../trigger-form-model.ts'
import { Radio, Text } from './form-fields.tsx'
import { HeadersEditor } from './headers-editor.tsx'

function RequestEditor(props: {
  title: string
  value: RequestForm
  onChange: (value: RequestForm) => void
}) {
  const { value } = props
  const set = (patch: Partial<RequestForm>) => props.onChange({ ...value, ...patch })
  return (
    <fieldset className="field sub-card">
      <legend>{props.title}</legend>
      <div className="inline-form">
        <label className="field">
          <span>Method</span>
          <select
            value={value.method}
            onChange={(e) => set({ method: e.target.value as RequestForm['method'] })}
          >
            {['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label className="field grow">
          <span>URL</span>
          <input
            value={value.url}
            placeholder="https://api.provider.com/webhooks"
            onChange={(e) => set({ url: e.target.value })}
          />
        </label>
      </div>
      <HeadersEditor
        rows={value.headers}
        onChange={(headers) => set({ headers })}
        placeholders={['Authorization', 'Bearer {{credential.accessToken}}']}
      />
      <Text
        label="Body (JSON)"
        multiline
        mono
        value={value.body}
        placeholder='{"url": "{{settings.webhookURL}}"}'
        onChange={(body) => set({ body })}
      />
      <div className="field">
        <span>Keep from the answer (name → JSONPath)</span>
        <HeadersEditor
          rows={value.persist}
          onChange={(persist) => set({ persist })}
          placeholders={['subscriptionId', '$.id']}
          addLabel="+ Add value"
        />
      </div>
    </fieldset>
  )
}

export function SetupStep({ form, set }: StepProps) {
  return (
    <>
      <Radio
        name="Setup"
        value={form.setupMode}
        onChange={(setupMode) => set({ setupMode })}
        options={[
          ['manual', 'Manual', 'Someone pastes the URL into the provider.'],
          [
            'api',
            'Through the API',
            "Switchyard calls the provider's subscribe request per credential.",
          ],
        ]}
      />
      {form.setupMode === 'api' ? (
        <>
          <p className="muted small">
            Templates: <code>{'{{settings.webhookURL}}'}</code> is the trigger's URL,{' '}
            <code>{'{{credential.*}}'}</code> the credential's fields.
          </p>
          <RequestEditor
            title="Subscribe"
            value={form.subscribe}
            onChange={(subscribe) => set({ subscribe })}
          />
          <RequestEditor
            title="Unsubscribe (optional)"
            value={form.unsubscribe}
            onChange={(unsubscribe) => set({ unsubscribe })}
          />
        </>
      ) : null}
    </>
  )
}
