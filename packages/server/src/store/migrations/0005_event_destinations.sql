-- Event destinations: request templates and presets on webhook destinations, email recipients,
-- and SMTP refusals as an attempt error class.

-- A preset request (Slack, Datadog, New Relic, Sentry) as the API took it: {"preset": name,
-- …options}, secrets included (like custom headers). Null for a plain or custom-template webhook;
-- the custom template itself lives in `template`.
alter table destinations add column preset jsonb;
-- Email destinations: the recipients.
alter table destinations add column email_to text[];
alter table destinations add constraint destinations_email_to_check
  check (type <> 'email' or (email_to is not null and cardinality(email_to) > 0));

-- smtp_status: the mail server answered with a 4xx/5xx reply (the SMTP analogue of http_status).
alter table delivery_attempts drop constraint delivery_attempts_error_class_check;
alter table delivery_attempts add constraint delivery_attempts_error_class_check
  check (error_class in ('timeout', 'dns', 'connect', 'tls', 'http_status', 'smtp_status'));
