-- hemalink schema, version 2: a whole message sent again by the same analyzer (its
-- acknowledgement was lost) is kept, raw, as a duplicate of the first, and its results are not
-- stored twice.

ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
  CHECK (status IN ('accepted', 'rejected', 'incomplete', 'duplicate'));
ALTER TABLE messages ADD COLUMN duplicate_of uuid REFERENCES messages (id);
ALTER TABLE messages ADD CONSTRAINT messages_duplicate_has_original
  CHECK ((status = 'duplicate') = (duplicate_of IS NOT NULL));

COMMENT ON COLUMN messages.status IS 'accepted; rejected (did not parse or translate: see reject_reason); incomplete (ended without its terminator); duplicate (the same analyzer sent the same bytes before: see duplicate_of; its results are not stored again).';
COMMENT ON COLUMN messages.duplicate_of IS 'For a duplicate, the message it repeats.';
COMMENT ON COLUMN analyzers.last_seen_at IS 'When a message last arrived from it (kept to within a minute).';
