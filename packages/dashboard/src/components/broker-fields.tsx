import type { BrokerFields, BrokerType } from '../destination-form-model.ts'

const urlHelp: Record<BrokerType, string> = {
  rabbitmq: 'amqp://user:password@host:5672/vhost',
  nats: 'nats://user:password@host:4222',
  redis: 'redis://user:password@host:6379/0',
}

/**
 * A broker destination's connection and target (docs/brokers.md). The URL's password reads back
 * as [redacted]; saving it unchanged keeps the stored one.
 */
export function BrokerFieldsEditor(props: {
  type: BrokerType
  value: BrokerFields
  onChange: (value: BrokerFields) => void
}) {
  const { type, value, onChange } = props
  const field = (
    name: keyof BrokerFields,
    label: string,
    placeholder: string,
    required = false,
  ) => (
    <label className="field" key={name}>
      <span>{label}</span>
      <input
        name={`broker.${name}`}
        required={required}
        placeholder={placeholder}
        value={value[name]}
        onChange={(e) => onChange({ ...value, [name]: e.target.value })}
      />
    </label>
  )
  return (
    <>
      {field(
        'url',
        'Connection URL (credentials are sealed, never shown back)',
        urlHelp[type],
        true,
      )}
      {type === 'rabbitmq' ? (
        <>
          {field('exchange', 'Exchange (empty: the default exchange)', 'switchyard.events')}
          {field('routingKey', 'Routing key', 'record.created')}
          {field('queue', 'Or a queue (instead of exchange and routing key)', 'switchyard-events')}
        </>
      ) : null}
      {type === 'nats'
        ? field(
            'subject',
            'Subject (a JetStream stream must capture it)',
            'switchyard.events',
            true,
          )
        : null}
      {type === 'redis' ? (
        <>
          {field(
            'stream',
            'Stream (must exist: XGROUP CREATE … MKSTREAM)',
            'switchyard-events',
            true,
          )}
          {field('maxLen', 'Trim to about this many entries (optional, MAXLEN ~)', '100000')}
        </>
      ) : null}
    </>
  )
}
