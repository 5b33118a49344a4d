-- Message-broker destinations (#29): rabbitmq, nats (JetStream) and redis (Streams). `broker`
-- holds the connection URL (sealed like every destination secret: it may carry a password) and
-- the target on the broker; `url` keeps null for them, as for email.
alter table destinations drop constraint destinations_type_check;
alter table destinations add constraint destinations_type_check
  check (type in ('webhook', 'email', 'rabbitmq', 'nats', 'redis'));
alter table destinations add column broker jsonb;
-- A broker's refusals have their own classes: auth (credentials), not_found (no such exchange,
-- queue, stream or route), nack (the broker would not store it).
alter table delivery_attempts drop constraint delivery_attempts_error_class_check;
alter table delivery_attempts add constraint delivery_attempts_error_class_check
  check (error_class in ('timeout', 'dns', 'connect', 'tls', 'http_status', 'smtp_status',
                         'auth', 'not_found', 'nack'));
