-- Issue #9, secrets at rest: destination secrets are sealed with AES-256-GCM by the server (the
-- key is the process's, SWITCHYARD_SECRET_KEY, so SQL cannot seal; see
-- src/destinations/sealed-secrets.ts). Nothing changes shape; this migration records the format,
-- and its number makes a server older than sealing refuse the schema instead of signing with
-- ciphertext. Rows written before it hold plain text until their next write or
-- `switchyard secrets rotate-key`.

comment on column destinations.secret is
  'Sealed whsec_ signing secret: v1.base64(iv|tag|ciphertext), context destination-secret:<id>';
comment on column destinations.previous_secret is
  'Sealed like secret, same context: rotation moves the value over unchanged';
comment on column destinations.headers is
  'Custom headers; each value sealed, context destination-header:<id>:<name>';
comment on column destinations.preset is
  'Preset options; secret ones sealed, context destination-preset:<id>:<option>';
comment on column destinations.url is
  'The target; for a preset whose URL is its secret (Slack), only the URL as reads show it';
