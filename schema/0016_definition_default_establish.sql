-- hemalink schema, version 16: a control definition put through the API with neither a target nor
-- a number of establishing results establishes its target from the configured number
-- (qc.establish_runs), as the definitions file's do: establish_runs NULL with no target means
-- that, rather than a number fixed when it was put.

ALTER TABLE qc_definitions DROP CONSTRAINT qc_definitions_check;
ALTER TABLE qc_definitions ADD CONSTRAINT qc_definitions_check
  CHECK ((target_mean IS NOT NULL AND target_sd > 0 AND establish_runs IS NULL)
      OR (target_mean IS NULL AND target_sd IS NULL
          AND (establish_runs IS NULL OR establish_runs BETWEEN 2 AND 100)));
COMMENT ON COLUMN qc_definitions.establish_runs IS 'Without a target: the results that establish it (NULL: qc.establish_runs).';
