-- hemalink schema, version 19: rule validation. Every rule set version a lab has loaded is kept
-- with its content and its place in the lifecycle (draft -> shadow -> live -> retired), and every
-- backtest of a candidate set over the archive with its report: the evidence a version is
-- promoted with (CLSI AUTO10, the CAP checklist: validated before use and after every change).

CREATE TABLE rule_set_versions (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version           text NOT NULL UNIQUE,
  content           jsonb NOT NULL,
  content_hash      text NOT NULL,
  status            text NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'shadow', 'live', 'retired')),
  author            text NOT NULL,
  reason            text NOT NULL DEFAULT '',
  created_at        timestamptz NOT NULL DEFAULT now(),
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  backtest_id       bigint,
  promotion_comment text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX rule_set_versions_one_live ON rule_set_versions ((true)) WHERE status = 'live';
CREATE UNIQUE INDEX rule_set_versions_one_shadow ON rule_set_versions ((true)) WHERE status = 'shadow';
COMMENT ON TABLE rule_set_versions IS 'Every rule set version loaded or uploaded, with its lifecycle status; status changes are in audit_log (entity rule_set_version).';
COMMENT ON COLUMN rule_set_versions.version IS 'The set''s version as every decision names it (rule_set_version): the files'' versions and a digest of their names and contents.';
COMMENT ON COLUMN rule_set_versions.content IS 'The files of the set, in order: [{"name", "text"}].';
COMMENT ON COLUMN rule_set_versions.content_hash IS 'SHA-256 (hex) of the files'' names and texts, in order.';
COMMENT ON COLUMN rule_set_versions.status IS 'draft (stored, not deciding), shadow (deciding beside the live set, never acting), live (deciding), retired. At most one live and one shadow.';
COMMENT ON COLUMN rule_set_versions.author IS 'Who stored it: user:<name>, or system:<part> for the configuration''s files.';
COMMENT ON COLUMN rule_set_versions.reason IS 'Why it was stored, in words.';
COMMENT ON COLUMN rule_set_versions.backtest_id IS 'The backtest (rule_backtests.id) it was promoted to live with.';
COMMENT ON COLUMN rule_set_versions.promotion_comment IS 'The admin''s comment on promotion (required when its backtest found false negatives).';

CREATE TABLE rule_backtests (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  candidate_version text NOT NULL,
  candidate         jsonb NOT NULL,
  requested_by      text NOT NULL,
  period_from       timestamptz,
  period_to         timestamptz,
  analyzers         text[] NOT NULL DEFAULT '{}',
  status            text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  specimens_total   bigint,
  specimens_done    bigint NOT NULL DEFAULT 0,
  false_negatives   bigint,
  report            jsonb,
  error             text NOT NULL DEFAULT '',
  started_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz
);
CREATE INDEX rule_backtests_by_candidate ON rule_backtests (candidate_version, id);
COMMENT ON TABLE rule_backtests IS 'Each replay of the archive through a candidate rule set, its progress and its report.';
COMMENT ON COLUMN rule_backtests.candidate_version IS 'The candidate set''s version (rule_set_versions.version when it is stored).';
COMMENT ON COLUMN rule_backtests.candidate IS 'The candidate''s files, in order: [{"name", "text"}].';
COMMENT ON COLUMN rule_backtests.requested_by IS 'user:<name> (the API) or cli:<user> (hemalink rules backtest).';
COMMENT ON COLUMN rule_backtests.period_from IS 'First specimen received at or after it; null: from the first.';
COMMENT ON COLUMN rule_backtests.period_to IS 'Specimens received before it; null: up to now.';
COMMENT ON COLUMN rule_backtests.analyzers IS 'The analyzers replayed; empty: every analyzer.';
COMMENT ON COLUMN rule_backtests.status IS 'running, done (report written) or failed (error says why).';
COMMENT ON COLUMN rule_backtests.specimens_total IS 'Specimens in the period, counted before the replay; null until counted.';
COMMENT ON COLUMN rule_backtests.specimens_done IS 'Specimens replayed so far (the progress).';
COMMENT ON COLUMN rule_backtests.false_negatives IS 'Results the candidate would release that a person did not release unchanged (the report''s false_negatives.results), once done.';
COMMENT ON COLUMN rule_backtests.report IS 'The report (docs/validation.md names its fields), once done.';

ALTER TABLE rule_set_versions ADD CONSTRAINT rule_set_versions_backtest
  FOREIGN KEY (backtest_id) REFERENCES rule_backtests (id);

-- A backtest reads the archive in time order, a window of arrival times at a time: a BRIN index
-- (a few pages, next to nothing per insert: specimens are written in arrival order) narrows each
-- window to its blocks. Each result's first (automatic) decision is the current one or, once a
-- person decided, the earliest of those no longer current: these few are indexed by result.
CREATE INDEX specimens_received_at ON specimens USING brin (received_at);
CREATE INDEX decisions_superseded ON decisions (result_id) WHERE NOT is_current;
