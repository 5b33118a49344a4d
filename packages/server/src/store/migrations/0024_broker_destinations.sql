-- Message-broker destinations (#29): rabbitmq, nats (JetStream) and redis (Streams). `broker`
-- holds the connection URL (sealed like every destination secret: it may carry a password) and
-- the target on the broker; `url` keeps null for them, as for email.
alter table destinations drop constraint destinations_type_check;
alter table destinations add constraint destinations_type_check
  check (type in ('webhook', 'email', 'rabbitmq', 'nats', 'redis'));
alter table destinations add column broker jsonb;
