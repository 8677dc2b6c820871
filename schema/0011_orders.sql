-- hemalink schema, version 11: orders from the LIS. One row per order (a placer order on one
-- specimen) and one per ordered test, each test with its own status as it goes to an analyzer
-- and its results come back. Every insert and change of either is written to audit_log by a
-- trigger, with the actor the transaction names (SET LOCAL hemalink.actor).

CREATE TABLE orders (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source             text NOT NULL,
  placer_number      text NOT NULL DEFAULT '',
  filler_number      text NOT NULL DEFAULT '',
  specimen_id        text NOT NULL,
  patient_id         text NOT NULL DEFAULT '',
  patient_sex        text NOT NULL DEFAULT '',
  patient_birth_date text NOT NULL DEFAULT '',
  location           text NOT NULL DEFAULT '',
  priority           text NOT NULL DEFAULT '' CHECK (priority IN ('', 'routine', 'asap', 'stat')),
  collected_at       text NOT NULL DEFAULT '',
  message_id         uuid REFERENCES messages (id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, specimen_id, placer_number)
);
CREATE INDEX orders_by_specimen ON orders (specimen_id);
CREATE INDEX orders_by_patient ON orders (source, patient_id) WHERE patient_id <> '';
COMMENT ON TABLE orders IS 'One row per order from a LIS: a placer order on one specimen. Its tests are in order_tests.';
COMMENT ON COLUMN orders.source IS 'The LIS destination (configuration "lis"[].name) the order came from.';
COMMENT ON COLUMN orders.placer_number IS 'The LIS''s order number (ORC-2, else OBR-2; ASTM O-3); empty when the LIS sent none.';
COMMENT ON COLUMN orders.filler_number IS 'The filler order number (ORC-3, else OBR-3), when sent.';
COMMENT ON COLUMN orders.specimen_id IS 'The tube''s barcode (SPM-2, SAC-3, OBR-3, OBR-2, ORC-3 or ORC-2; ASTM O-3): what analyzers ask by.';
COMMENT ON COLUMN orders.patient_id IS 'PID-3 (ASTM P-3); empty when none.';
COMMENT ON COLUMN orders.patient_sex IS 'PID-8 (ASTM P-9) as sent.';
COMMENT ON COLUMN orders.patient_birth_date IS 'PID-7 (ASTM P-8), YYYYMMDD; empty when none or not a date.';
COMMENT ON COLUMN orders.location IS 'PV1-3 point of care (ASTM P-26, O-28).';
COMMENT ON COLUMN orders.priority IS 'stat, asap or routine (TQ1-9, ORC-7.6, OBR-27.6, OBR-5; ASTM O-6); empty when none was sent.';
COMMENT ON COLUMN orders.collected_at IS 'Collection time as sent (SPM-17, OBR-7; ASTM O-8).';
COMMENT ON COLUMN orders.message_id IS 'The message from the LIS that created the order.';
COMMENT ON COLUMN orders.updated_at IS 'When the LIS last changed it.';

CREATE TABLE order_tests (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id      bigint NOT NULL REFERENCES orders (id),
  code          text NOT NULL,
  lis_code      text NOT NULL,
  is_mapped     boolean NOT NULL,
  status        text NOT NULL DEFAULT 'ordered'
                CHECK (status IN ('ordered', 'sent', 'acknowledged', 'resulted', 'cancelled')),
  analyzer      text NOT NULL DEFAULT '',
  status_reason text NOT NULL DEFAULT '',
  ordered_at    timestamptz NOT NULL DEFAULT now(),
  status_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (order_id, code)
);
CREATE INDEX order_tests_pending ON order_tests (ordered_at) WHERE status IN ('ordered', 'sent', 'acknowledged');
COMMENT ON TABLE order_tests IS 'One row per test of an order, in canonical codes, with its status.';
COMMENT ON COLUMN order_tests.code IS 'Canonical code (WBC, PT_SEC), mapped from the LIS''s code by the destination''s mapping table; the LIS''s code when it is not in the table.';
COMMENT ON COLUMN order_tests.lis_code IS 'The code the LIS ordered (OBR-4.1, ASTM O-5): a panel code stands for several tests.';
COMMENT ON COLUMN order_tests.is_mapped IS 'False when the LIS''s code is not in the destination''s mapping table (no analyzer is sent it).';
COMMENT ON COLUMN order_tests.status IS 'ordered; sent (to an analyzer, by query answer or download); acknowledged (the analyzer took it); resulted (a result came back); cancelled (by the LIS).';
COMMENT ON COLUMN order_tests.analyzer IS 'The analyzer it was last sent to or resulted by.';
COMMENT ON COLUMN order_tests.status_reason IS 'Why, for a cancellation (ORC-16) and other changes that carry one.';
COMMENT ON COLUMN order_tests.status_at IS 'When the status last changed.';

-- The action is the new status when a test's status changed, else create or change.
CREATE FUNCTION orders_audited() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  before jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END;
  after jsonb := to_jsonb(NEW);
BEGIN
  INSERT INTO audit_log (actor, action, entity, entity_id, before, after)
  VALUES (coalesce(nullif(current_setting('hemalink.actor', true), ''), 'system:database'),
          CASE WHEN TG_OP = 'INSERT' THEN 'create'
               WHEN before->>'status' IS DISTINCT FROM after->>'status' THEN after->>'status'
               ELSE 'change' END,
          CASE WHEN TG_TABLE_NAME = 'orders' THEN 'order' ELSE 'order_test' END,
          NEW.id::text, before, after);
  RETURN NULL;
END;
$$;
CREATE TRIGGER orders_inserted AFTER INSERT ON orders FOR EACH ROW
  EXECUTE FUNCTION orders_audited();
CREATE TRIGGER orders_changed AFTER UPDATE ON orders FOR EACH ROW
  WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION orders_audited();
CREATE TRIGGER order_tests_inserted AFTER INSERT ON order_tests FOR EACH ROW
  EXECUTE FUNCTION orders_audited();
CREATE TRIGGER order_tests_changed AFTER UPDATE ON order_tests FOR EACH ROW
  WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION orders_audited();

COMMENT ON COLUMN messages.destination IS 'The LIS destination a message went to (direction out: results) or came from (direction in: its acknowledgement, or an order message); NULL for an analyzer''s messages.';

-- A result stored for an ordered test of the same specimen marks that test resulted, in the
-- result's own transaction (QC results never do). The audit row names the analyzer.
CREATE FUNCTION order_tests_resulted() RETURNS trigger LANGUAGE plpgsql AS $$
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
       AND n.analyzer_id = by_analyzer.analyzer_id AND NOT n.is_qc
       AND t.status IN ('ordered', 'sent', 'acknowledged');
  END LOOP;
  PERFORM set_config('hemalink.actor', coalesce(actor, ''), true);
  RETURN NULL;
END;
$$;
CREATE TRIGGER results_fill_orders AFTER INSERT ON results REFERENCING NEW TABLE AS inserted_results
  FOR EACH STATEMENT EXECUTE FUNCTION order_tests_resulted();
