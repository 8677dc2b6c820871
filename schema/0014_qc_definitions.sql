-- hemalink schema, version 14: control definitions edited through the API. The lab's
-- definitions file is the starting point; a definition put through the API (a new lot's target,
-- a corrected SD) is kept here and wins over the file's for the same control, across restarts
-- and reloads, until it is put again. Every insert and change is written to audit_log.

CREATE TABLE qc_definitions (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  analyzer       text NOT NULL,
  test           text NOT NULL,
  material       text NOT NULL DEFAULT '',
  level          text NOT NULL,
  lot            text NOT NULL DEFAULT '',
  sample         text NOT NULL DEFAULT '',
  target_mean    double precision,
  target_sd      double precision,
  establish_runs integer,
  reason         text NOT NULL,
  changed_by     text NOT NULL,
  changed_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (analyzer, test, material, level, lot),
  CHECK ((target_mean IS NOT NULL AND target_sd > 0 AND establish_runs IS NULL)
      OR (target_mean IS NULL AND target_sd IS NULL AND establish_runs BETWEEN 2 AND 100))
);
COMMENT ON TABLE qc_definitions IS 'Control definitions put through the API; each wins over the definitions file''s for its control.';
COMMENT ON COLUMN qc_definitions.sample IS 'The specimen ID (XN QC sample number) under which the analyzer sends this control, when it names no level.';
COMMENT ON COLUMN qc_definitions.target_mean IS 'Target mean (from the insert), or NULL to establish it.';
COMMENT ON COLUMN qc_definitions.target_sd IS 'Target SD, with the mean.';
COMMENT ON COLUMN qc_definitions.establish_runs IS 'Without a target: the results that establish it.';
COMMENT ON COLUMN qc_definitions.reason IS 'Why it was put, in the words of who put it.';
COMMENT ON COLUMN qc_definitions.changed_by IS 'user:<name> of the last change.';

CREATE FUNCTION qc_definitions_audited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log (actor, action, entity, entity_id, before, after)
  VALUES (NEW.changed_by, CASE WHEN TG_OP = 'INSERT' THEN 'create' ELSE 'change' END,
          'qc_definition', NEW.id::text,
          CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END, to_jsonb(NEW));
  RETURN NULL;
END;
$$;
CREATE TRIGGER qc_definitions_inserted AFTER INSERT ON qc_definitions FOR EACH ROW
  EXECUTE FUNCTION qc_definitions_audited();
CREATE TRIGGER qc_definitions_changed AFTER UPDATE ON qc_definitions FOR EACH ROW
  WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION qc_definitions_audited();
