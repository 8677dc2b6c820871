-- hemalink schema, version 21: the lab's comment codes changed through the API. The
-- configuration's review.comment_codes are the defaults; a code stored here adds a code, changes
-- the text of a configured one, or (text NULL) removes one, configured or not, across restarts
-- and reloads until it is stored again. Every change is written to audit_log.

CREATE TABLE comment_codes (
  code       text PRIMARY KEY CHECK (code ~ '^\.[A-Za-z0-9]{1,16}$'),
  text       text CHECK (text IS NULL OR char_length(text) BETWEEN 1 AND 500),
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE comment_codes IS 'Comment codes added, changed or removed through the API; each wins over the configuration''s code of the same name.';
COMMENT ON COLUMN comment_codes.code IS 'A dot and 1-16 letters or digits, as typed in a comment (.ok).';
COMMENT ON COLUMN comment_codes.text IS 'What the code expands to; NULL: the code is removed.';
COMMENT ON COLUMN comment_codes.changed_by IS 'user:<name> of the last change.';

CREATE FUNCTION comment_codes_audited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log (actor, action, entity, entity_id, before, after)
  VALUES (NEW.changed_by,
          CASE WHEN NEW.text IS NULL THEN 'remove' WHEN TG_OP = 'INSERT' THEN 'create' ELSE 'change' END,
          'comment_code', NEW.code,
          CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END, to_jsonb(NEW));
  RETURN NULL;
END;
$$;
CREATE TRIGGER comment_codes_inserted AFTER INSERT ON comment_codes FOR EACH ROW
  EXECUTE FUNCTION comment_codes_audited();
CREATE TRIGGER comment_codes_changed AFTER UPDATE ON comment_codes FOR EACH ROW
  WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION comment_codes_audited();
