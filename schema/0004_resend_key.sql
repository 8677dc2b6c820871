-- hemalink schema, version 4: an analyzer that sends a message again (its acknowledgement was
-- lost) may stamp a new send time on it: HL7 senders often renew MSH-7 and keep MSH-10. The
-- resend key is the SHA-256 of the message without its send time, and duplicates are found by
-- it; content_hash stays the hash of the exact bytes.

ALTER TABLE messages ADD COLUMN resend_key bytea;
CREATE INDEX messages_by_resend_key ON messages (analyzer_id, resend_key)
  WHERE resend_key IS NOT NULL;
DROP INDEX messages_by_content;
CREATE INDEX messages_by_content ON messages (content_hash);

COMMENT ON COLUMN messages.resend_key IS 'SHA-256 of raw without its send time (HL7 MSH-7); the same analyzer sending the same key again is a duplicate. NULL for rows stored before schema version 4.';
COMMENT ON COLUMN messages.duplicate_of IS 'For a duplicate, the message it repeats (same analyzer, same bytes apart from the HL7 send time MSH-7).';
