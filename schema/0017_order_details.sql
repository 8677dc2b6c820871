-- hemalink schema, version 17: what a LIS says about an order's specimen and tests is kept, an
-- unmapped test can never be taken for a canonical one, and an order message sent again is a
-- duplicate.
--
-- - orders keep the specimen's type and source (SPM-4, SPM-8; ASTM O-16) and the LIS's notes
--   (NTE; ASTM C records: a blood bank's donor unit), to be sent where an analyzer's layout has a
--   place for them;
-- - order_tests keep the LIS's text and coding system of what it ordered (OBR-4.2, OBR-4.3);
-- - a test the mapping table does not know (is_mapped false) keeps the LIS's code in `code` (as
--   it always did, now checked), and is unique per order among the unmapped tests only: an
--   unmapped `MCV` and the MCV of a mapped panel are two rows, and nothing that matches
--   canonical codes sees the first;
-- - an order message that repeats the LIS's latest one (its resend key, as an analyzer's) is a
--   duplicate.

ALTER TABLE orders
  ADD COLUMN specimen_type        text NOT NULL DEFAULT '',
  ADD COLUMN specimen_type_text   text NOT NULL DEFAULT '',
  ADD COLUMN specimen_type_system text NOT NULL DEFAULT '',
  ADD COLUMN specimen_source      text NOT NULL DEFAULT '',
  ADD COLUMN comment              text NOT NULL DEFAULT '';
COMMENT ON COLUMN orders.specimen_type IS 'The specimen type code as sent (SPM-4.1, else OBR-15.1; ASTM O-16.1), e.g. SER, WB, UR.';
COMMENT ON COLUMN orders.specimen_type_text IS 'Its text (SPM-4.2), when sent.';
COMMENT ON COLUMN orders.specimen_type_system IS 'Its coding system (SPM-4.3, e.g. HL70487 or HL70369), when sent.';
COMMENT ON COLUMN orders.specimen_source IS 'The source site (SPM-8.1; ASTM O-16.2), when sent.';
COMMENT ON COLUMN orders.comment IS 'The LIS''s notes on the order (NTE after ORC/OBR; ASTM C records after the O record), one per line.';

ALTER TABLE order_tests
  ADD COLUMN lis_text          text NOT NULL DEFAULT '',
  ADD COLUMN lis_coding_system text NOT NULL DEFAULT '';
COMMENT ON COLUMN order_tests.lis_text IS 'The text the LIS gave with its code (OBR-4.2; ASTM O-5 component 5).';
COMMENT ON COLUMN order_tests.lis_coding_system IS 'The LIS''s coding system (OBR-4.3).';

ALTER TABLE order_tests DROP CONSTRAINT order_tests_order_id_code_key;
ALTER TABLE order_tests ADD CONSTRAINT order_tests_unmapped_code_is_lis_code
  CHECK (is_mapped OR code = lis_code);
ALTER TABLE order_tests ADD CONSTRAINT order_tests_order_id_is_mapped_code_key
  UNIQUE (order_id, is_mapped, code);
CREATE INDEX order_tests_unmapped_open ON order_tests (ordered_at)
  WHERE NOT is_mapped AND status IN ('ordered', 'sent', 'acknowledged');
COMMENT ON COLUMN order_tests.code IS 'Canonical code (WBC, PT_SEC), mapped from the LIS''s code by the destination''s mapping table; for a test the table does not know (is_mapped false), the LIS''s code, which nothing matches against results or sends to an analyzer.';

-- A LIS's latest message, which a resend repeats.
CREATE INDEX messages_from_lis_by_time ON messages (destination, received_at)
  WHERE direction = 'in' AND destination IS NOT NULL;

-- A result marks resulted only the mapped tests of its specimen's orders.
CREATE OR REPLACE FUNCTION order_tests_resulted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  by_analyzer record;
  actor text := current_setting('hemalink.actor', true);
BEGIN
  IF NOT EXISTS (SELECT 1 FROM orders) THEN
    RETURN NULL;  -- a lab that takes no orders pays one probe
  END IF;
  FOR by_analyzer IN
    SELECT DISTINCT n.analyzer_id, a.name FROM inserted_results n
      JOIN analyzers a ON a.id = n.analyzer_id
     WHERE NOT n.is_qc AND EXISTS (SELECT 1 FROM orders o WHERE o.specimen_id = n.specimen_id)
  LOOP
    PERFORM set_config('hemalink.actor', 'analyzer:' || by_analyzer.name, true);
    UPDATE order_tests t SET status = 'resulted', analyzer = by_analyzer.name, status_at = now()
      FROM orders o, inserted_results n
     WHERE t.order_id = o.id AND o.specimen_id = n.specimen_id AND t.code = n.code
       AND t.is_mapped AND n.analyzer_id = by_analyzer.analyzer_id AND NOT n.is_qc
       AND t.status IN ('ordered', 'sent', 'acknowledged');
  END LOOP;
  PERFORM set_config('hemalink.actor', coalesce(actor, ''), true);
  RETURN NULL;
END;
$$;
