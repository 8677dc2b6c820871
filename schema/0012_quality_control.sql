-- hemalink schema, version 12: quality control. Every control result is judged as it is stored
-- (the Westgard multirules, within its run and across runs) and the judgement is stored with it,
-- in the same transaction: what the QC gate and the Levey-Jennings charts are built from, and
-- what the gate's state is rebuilt from at start-up.

CREATE TABLE qc_evaluations (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  result_id      bigint NOT NULL REFERENCES results (id),
  analyzer_id    bigint NOT NULL REFERENCES analyzers (id),
  test           text NOT NULL,
  material       text NOT NULL DEFAULT '',
  level          text NOT NULL,
  lot            text NOT NULL DEFAULT '',
  value          double precision NOT NULL,
  phase          text NOT NULL CHECK (phase IN ('establishing', 'judged')),
  target_mean    double precision,
  target_sd      double precision,
  z              double precision,
  run_id         text NOT NULL DEFAULT '',
  run_started_at timestamptz,
  run_values     jsonb NOT NULL DEFAULT '[]',
  violations     jsonb NOT NULL DEFAULT '[]',
  run_rejected   boolean NOT NULL DEFAULT false,
  measurement    text NOT NULL,
  evaluated_at   timestamptz NOT NULL
);
CREATE INDEX qc_evaluations_series ON qc_evaluations (analyzer_id, test, evaluated_at);
CREATE INDEX qc_evaluations_by_control ON qc_evaluations (analyzer_id, test, material, level, lot, id);
COMMENT ON TABLE qc_evaluations IS 'How quality control judged each control result as it arrived (one row per control result).';
COMMENT ON COLUMN qc_evaluations.result_id IS 'The control result (results row, is_qc).';
COMMENT ON COLUMN qc_evaluations.test IS 'Canonical test code of the result.';
COMMENT ON COLUMN qc_evaluations.material IS 'Control material, when the analyzer names it.';
COMMENT ON COLUMN qc_evaluations.level IS 'Control level; the specimen ID when the analyzer names no level (Sysmex XN QC files).';
COMMENT ON COLUMN qc_evaluations.lot IS 'Control lot, when the analyzer names it.';
COMMENT ON COLUMN qc_evaluations.value IS 'The control result.';
COMMENT ON COLUMN qc_evaluations.phase IS 'establishing: among the first results that set the control''s target (shown, not judged); judged: by the Westgard rules.';
COMMENT ON COLUMN qc_evaluations.target_mean IS 'Target mean in force (for the last establishing result: the one it established).';
COMMENT ON COLUMN qc_evaluations.target_sd IS 'Target SD in force, likewise.';
COMMENT ON COLUMN qc_evaluations.z IS '(value - target_mean) / target_sd, for judged results.';
COMMENT ON COLUMN qc_evaluations.run_id IS 'The run (levels of one test measured together): analyzer/test/start time.';
COMMENT ON COLUMN qc_evaluations.run_started_at IS 'When the run''s first control arrived.';
COMMENT ON COLUMN qc_evaluations.run_values IS 'The run so far as z-scores: [{"level", "z"}], this result last.';
COMMENT ON COLUMN qc_evaluations.violations IS 'The Westgard rules violated: [{"rule", "detail"}] (1-2s only warns).';
COMMENT ON COLUMN qc_evaluations.run_rejected IS 'A rejection rule was violated: the run is rejected and the test''s QC gate is out.';
COMMENT ON COLUMN qc_evaluations.measurement IS 'What identifies the measurement (specimen, analysis time, value): a retransmission is judged once.';
COMMENT ON COLUMN qc_evaluations.evaluated_at IS 'When the control result''s message arrived.';
