-- hemalink schema, version 6: delivery to the LIS. One outbox row per specimen and destination
-- (the destinations are the configuration's "lis" list); rows of one specimen go to a
-- destination in the order they were written; a row's message is built from database rows and
-- kept with its first failed attempt, so every attempt sends the same bytes with the same
-- control ID. The messages sent to
-- a LIS and the LIS's acknowledgements are kept in messages, named by destination.

ALTER TABLE outbox ADD COLUMN specimen_id text NOT NULL DEFAULT '';
UPDATE outbox o SET specimen_id = s.specimen_id FROM specimens s WHERE s.id = o.specimen_row_id;
ALTER TABLE outbox ALTER COLUMN destination DROP DEFAULT;
ALTER TABLE outbox ADD COLUMN protocol text CHECK (protocol IN ('hl7', 'astm'));
ALTER TABLE outbox ADD COLUMN payload bytea;
ALTER TABLE outbox ADD COLUMN claimed_by text NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claimed_at timestamptz;
ALTER TABLE outbox ADD COLUMN last_attempt_at timestamptz;
ALTER TABLE outbox ADD COLUMN corrects bigint[] NOT NULL DEFAULT '{}';

DROP INDEX outbox_due;
CREATE INDEX outbox_pending ON outbox (destination, id) WHERE status = 'pending';
CREATE INDEX outbox_pending_by_specimen ON outbox (destination, specimen_id, id)
  WHERE status = 'pending';
CREATE INDEX outbox_by_specimen ON outbox (destination, specimen_id, id);

COMMENT ON TABLE outbox IS 'What must go to the LIS: one row per specimen and destination. Claimed with FOR UPDATE SKIP LOCKED and held by a session advisory lock on the row while it is in flight, so several nodes never send a row at once and a dead node''s row is taken over.';
COMMENT ON COLUMN outbox.destination IS 'The LIS destination (configuration "lis"[].name) that sends it.';
COMMENT ON COLUMN outbox.specimen_id IS 'The specimen (barcode): a later row of the same specimen and destination is not sent while an earlier one is pending.';
COMMENT ON COLUMN outbox.status IS 'pending (waiting, backing off, or in flight), sent (the LIS acknowledged it), or dead (refused max_attempts times, or built into nothing; see last_error).';
COMMENT ON COLUMN outbox.protocol IS 'hl7 or astm: what the message was built for (set with its first attempt''s outcome).';
COMMENT ON COLUMN outbox.payload IS 'The message as first sent (HL7 segments or ASTM records, no framing), kept with its first failed attempt: every later attempt sends these bytes. A delivered row''s message is in messages.';
COMMENT ON COLUMN outbox.control_id IS 'MSH-10 (ASTM: H-3) of the message, the same at every attempt and on every node (set with its first attempt''s outcome); the LIS ACK must name it in MSA-2.';
COMMENT ON COLUMN outbox.claimed_by IS 'The node (host:pid) that last claimed it.';
COMMENT ON COLUMN outbox.claimed_at IS 'When it was last claimed.';
COMMENT ON COLUMN outbox.last_attempt_at IS 'When it was last written to the LIS.';
COMMENT ON COLUMN outbox.corrects IS 'Results of this row whose test the LIS already has for this specimen from an earlier row: sent as corrections (OBX-11 C).';

-- New rows wake the senders at once (LISTEN hemalink_outbox; the payload is the destination).
CREATE FUNCTION outbox_notify_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hemalink_outbox', d.destination)
    FROM (SELECT DISTINCT destination FROM inserted_rows) d;
  RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox REFERENCING NEW TABLE AS inserted_rows
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify_inserted();

CREATE FUNCTION outbox_notify_pending_again() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hemalink_outbox', NEW.destination);
  RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_pending_again AFTER UPDATE OF status ON outbox FOR EACH ROW
  WHEN (NEW.status = 'pending' AND OLD.status <> 'pending')
  EXECUTE FUNCTION outbox_notify_pending_again();

ALTER TABLE messages ALTER COLUMN analyzer_id DROP NOT NULL;
ALTER TABLE messages ADD COLUMN destination text;
ALTER TABLE messages ADD COLUMN outbox_id bigint REFERENCES outbox (id);
ALTER TABLE messages ADD CONSTRAINT messages_from_analyzer_or_lis
  CHECK ((analyzer_id IS NULL) <> (destination IS NULL));
CREATE INDEX messages_by_outbox ON messages (outbox_id) WHERE outbox_id IS NOT NULL;

COMMENT ON TABLE messages IS 'Every message received from or sent to an analyzer or a LIS, raw, accepted or not: nothing received is lost.';
COMMENT ON COLUMN messages.analyzer_id IS 'The analyzer it came from or went to; NULL for a LIS''s messages (see destination).';
COMMENT ON COLUMN messages.destination IS 'The LIS destination it went to (direction out: the result message) or came from (direction in: its acknowledgement); NULL for an analyzer''s messages.';
COMMENT ON COLUMN messages.outbox_id IS 'For a LIS''s messages, the outbox row delivered.';
