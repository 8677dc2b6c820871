-- hemalink schema, version 5: the rules engine records the test a reflex rule requests in each
-- firing; the column's description says so (version 1 described the firing before reflexes).

COMMENT ON COLUMN decisions.rules_fired IS 'The rules that fired: [{"rule_id", "action", "reason", "reflex_test"}]; "reflex_test" only for a reflex: the test it requests.';
