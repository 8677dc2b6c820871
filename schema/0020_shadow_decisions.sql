-- hemalink schema, version 20: the decisions of the rule set in shadow. A version in shadow
-- decides every patient result beside the live set, in the same transaction as the result, and
-- its decisions are kept here and nowhere else: they never release, hold or send anything, and
-- the outbox never reads them. What the page compares with the live decisions and with what
-- people then did.

CREATE TABLE shadow_decisions (
  result_id        bigint NOT NULL,
  decision         text NOT NULL CHECK (decision IN ('release', 'hold', 'rerun', 'reject')),
  rules_fired      jsonb NOT NULL DEFAULT '[]',
  rule_set_version text NOT NULL,
  decided_by       text NOT NULL,
  reason           text NOT NULL DEFAULT '',
  decided_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shadow_decisions_by_version ON shadow_decisions (rule_set_version, result_id);
COMMENT ON TABLE shadow_decisions IS 'What the rule set version in shadow would have decided of each patient result, never acted on.';
COMMENT ON COLUMN shadow_decisions.result_id IS 'The result (results.id), written with it.';
COMMENT ON COLUMN shadow_decisions.decision IS 'release, hold, rerun or reject: what it would have done.';
COMMENT ON COLUMN shadow_decisions.rules_fired IS 'The rules that fired: [{"rule_id", "action", "reason"}].';
COMMENT ON COLUMN shadow_decisions.rule_set_version IS 'The version in shadow (rule_set_versions.version).';
