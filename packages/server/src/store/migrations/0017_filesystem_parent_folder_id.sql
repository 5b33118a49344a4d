-- Issue #25, item 4: the filesystem connector names a file's folder `parentFolderId`, as
-- Paragon's published File schema does (https://docs.useparagon.com/managed-sync/api/file-schema),
-- where it wrote `parentFolder` before. Records stored by earlier versions are renamed here, so
-- a receiver sees one name whatever version stored the record.
--
-- The record's change-detection hash (syncs/pages.ts prepareRecord: sha256 hex of the
-- stable-stringified [data, name, mimeType, content sha256], keys sorted) covers the data, so it
-- is recomputed for the new key: otherwise the next FULL pass would find every file changed and
-- send a record_updated for each (and receivers would download every file again). The
-- connector's data is four strings, so the stringified form is written out key by key, sorted as
-- JavaScript sorts them; to_json(text) escapes exactly as JSON.stringify does (", \, \b \f \n
-- \r \t, other control characters as lowercase \u00xx). A row of any other shape is only renamed
-- and keeps its old hash: its next pass reports it updated once, which is what happened before.
-- Tombstones (data null) have nothing to rename.

update sync_records r
set data = (r.data - 'parentFolder') || jsonb_build_object('parentFolderId', r.data -> 'parentFolder'),
    hash = case
      when (select count(*) from jsonb_object_keys(r.data)) = 4
       and jsonb_typeof(r.data -> 'path') = 'string'
       and jsonb_typeof(r.data -> 'parentFolder') = 'string'
       and jsonb_typeof(r.data -> 'createdAt') = 'string'
       and jsonb_typeof(r.data -> 'updatedAt') = 'string'
       and r.name is not null and r.mime_type is not null
      then encode(sha256(convert_to(
        '[{"createdAt":' || to_json(r.data ->> 'createdAt')::text
        || ',"parentFolderId":' || to_json(r.data ->> 'parentFolder')::text
        || ',"path":' || to_json(r.data ->> 'path')::text
        || ',"updatedAt":' || to_json(r.data ->> 'updatedAt')::text
        || '},' || to_json(r.name)::text || ',' || to_json(r.mime_type)::text || ','
        || coalesce(to_json((select encode(sha256(c.content), 'hex')
                             from sync_record_contents c where c.record_id = r.id))::text, 'null')
        || ']', 'UTF8')), 'hex')
      else r.hash
    end
from syncs s
where s.id = r.sync_id
  and s.integration = 'filesystem'
  and not r.deleted
  and r.data ? 'parentFolder'
  and not r.data ? 'parentFolderId';
