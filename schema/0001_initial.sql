-- hemalink schema, version 1: every message received, the results it carried, the decisions
-- about them, what goes to the LIS, and the audit trail. Columns are documented here (visible
-- with \d+ in psql) and in README.md.

CREATE TABLE analyzers (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name             text NOT NULL UNIQUE,
  driver           text NOT NULL,
  model            text NOT NULL DEFAULT '',
  serial           text NOT NULL DEFAULT '',
  software_version text NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_seen_at     timestamptz
);
COMMENT ON TABLE analyzers IS 'One row per analyzer configured in hemalink.';
COMMENT ON COLUMN analyzers.name IS 'The analyzer''s name in the configuration (unique).';
COMMENT ON COLUMN analyzers.driver IS 'Driver that translates its messages (sysmex-xn, generic-hl7, ...).';
COMMENT ON COLUMN analyzers.model IS 'Model as the analyzer last reported it (ASTM H-5, HL7 MSH-3).';
COMMENT ON COLUMN analyzers.serial IS 'Serial number as last reported.';
COMMENT ON COLUMN analyzers.software_version IS 'Software version as last reported.';
COMMENT ON COLUMN analyzers.last_seen_at IS 'When a message last arrived from it.';

CREATE TABLE messages (
  id            uuid PRIMARY KEY,
  analyzer_id   bigint NOT NULL REFERENCES analyzers (id),
  direction     text NOT NULL CHECK (direction IN ('in', 'out')),
  protocol      text NOT NULL CHECK (protocol IN ('astm', 'hl7', 'export')),
  peer_address  text NOT NULL DEFAULT '',
  received_at   timestamptz NOT NULL,
  raw           bytea NOT NULL,
  content_hash  bytea NOT NULL,
  control_id    text NOT NULL DEFAULT '',
  status        text NOT NULL CHECK (status IN ('accepted', 'rejected', 'incomplete')),
  reject_reason text,
  error_offset  bigint,
  stored_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_by_analyzer_time ON messages (analyzer_id, received_at);
CREATE INDEX messages_by_content ON messages (analyzer_id, content_hash);
CREATE INDEX messages_rejected ON messages (received_at) WHERE status <> 'accepted';
COMMENT ON TABLE messages IS 'Every message received from or sent to an analyzer, raw, accepted or not: nothing received is lost.';
COMMENT ON COLUMN messages.id IS 'Assigned at receipt; storing the same id twice stores it once (idempotent replay).';
COMMENT ON COLUMN messages.direction IS 'in: from the analyzer; out: to the analyzer (query replies, orders).';
COMMENT ON COLUMN messages.protocol IS 'astm, hl7, or export (a file read from a watched folder).';
COMMENT ON COLUMN messages.peer_address IS 'Remote address and port, serial device, or file path.';
COMMENT ON COLUMN messages.received_at IS 'When the last byte of the message arrived.';
COMMENT ON COLUMN messages.raw IS 'The message bytes as received (records or segments, link framing removed).';
COMMENT ON COLUMN messages.content_hash IS 'SHA-256 of raw, to find retransmissions of the same content.';
COMMENT ON COLUMN messages.control_id IS 'HL7 MSH-10 or ASTM H-3 when present.';
COMMENT ON COLUMN messages.status IS 'accepted; rejected (did not parse or translate: see reject_reason); incomplete (ended without its terminator).';
COMMENT ON COLUMN messages.reject_reason IS 'What was wrong and where (record or segment, field), for rejected and incomplete messages.';
COMMENT ON COLUMN messages.error_offset IS 'Byte offset of the error in raw, when known.';
COMMENT ON COLUMN messages.stored_at IS 'When the row was committed.';

CREATE TABLE specimens (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id         uuid NOT NULL REFERENCES messages (id),
  analyzer_id        bigint NOT NULL REFERENCES analyzers (id),
  specimen_id        text NOT NULL,
  sample_number      text NOT NULL DEFAULT '',
  rack               text NOT NULL DEFAULT '',
  tube_position      text NOT NULL DEFAULT '',
  sample_type        text NOT NULL DEFAULT '',
  kind               text NOT NULL CHECK (kind IN ('patient', 'qc', 'calibration')),
  qc_material        text NOT NULL DEFAULT '',
  qc_level           text NOT NULL DEFAULT '',
  qc_lot             text NOT NULL DEFAULT '',
  is_rerun           boolean NOT NULL DEFAULT false,
  patient_id         text NOT NULL DEFAULT '',
  patient_sex        text NOT NULL DEFAULT '',
  patient_birth_date text NOT NULL DEFAULT '',
  patient_age_years  numeric,
  specimen_flags     jsonb NOT NULL DEFAULT '[]',
  attachments        jsonb NOT NULL DEFAULT '[]',
  traceability       jsonb NOT NULL DEFAULT '[]',
  comments           jsonb NOT NULL DEFAULT '[]',
  received_at        timestamptz NOT NULL
);
CREATE INDEX specimens_by_specimen_id ON specimens (specimen_id);
CREATE INDEX specimens_by_message ON specimens (message_id);
CREATE INDEX specimens_by_patient ON specimens (patient_id, received_at) WHERE patient_id <> '';
COMMENT ON TABLE specimens IS 'One row per specimen per transmission (a result set).';
COMMENT ON COLUMN specimens.message_id IS 'The message that carried it.';
COMMENT ON COLUMN specimens.specimen_id IS 'The specimen as the lab knows it (barcode), trimmed.';
COMMENT ON COLUMN specimens.sample_number IS 'The analyzer''s own sample number, when it sends one.';
COMMENT ON COLUMN specimens.rack IS 'Sampler rack, when sent.';
COMMENT ON COLUMN specimens.tube_position IS 'Position in the rack, when sent.';
COMMENT ON COLUMN specimens.sample_type IS 'Specimen type or descriptor as sent (O-16, SPM-4).';
COMMENT ON COLUMN specimens.kind IS 'patient, qc or calibration.';
COMMENT ON COLUMN specimens.qc_material IS 'QC material, for qc rows, when sent.';
COMMENT ON COLUMN specimens.qc_level IS 'QC level, for qc rows, when sent.';
COMMENT ON COLUMN specimens.qc_lot IS 'QC lot, for qc rows, when sent.';
COMMENT ON COLUMN specimens.is_rerun IS 'The analyzer marked the order a rerun or reflex.';
COMMENT ON COLUMN specimens.patient_id IS 'Patient ID as sent; empty when none.';
COMMENT ON COLUMN specimens.patient_sex IS 'Sex as sent (M, F, U, ...).';
COMMENT ON COLUMN specimens.patient_birth_date IS 'Birth date as sent (YYYYMMDD).';
COMMENT ON COLUMN specimens.patient_age_years IS 'Age in years when the analyzer sends an age.';
COMMENT ON COLUMN specimens.specimen_flags IS 'Instrument flags on the specimen: [{"name", "score", "positive"}] (Sysmex IP messages).';
COMMENT ON COLUMN specimens.attachments IS 'Image and curve references: [{"code", "reference"}]; never results.';
COMMENT ON COLUMN specimens.traceability IS 'Calibration, reagent-lot and manufacturer records: [{"kind", "text"}].';
COMMENT ON COLUMN specimens.comments IS 'Comments on the specimen or patient: ["text", ...].';
COMMENT ON COLUMN specimens.received_at IS 'When the message arrived (copied for time-range queries).';

CREATE TABLE results (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  specimen_row_id    bigint NOT NULL REFERENCES specimens (id),
  message_id         uuid NOT NULL REFERENCES messages (id),
  analyzer_id        bigint NOT NULL REFERENCES analyzers (id),
  specimen_id        text NOT NULL,
  patient_id         text NOT NULL DEFAULT '',
  is_qc              boolean NOT NULL DEFAULT false,
  code               text NOT NULL,
  raw_code           text NOT NULL,
  loinc              text NOT NULL DEFAULT '',
  is_mapped          boolean NOT NULL,
  value              text NOT NULL DEFAULT '',
  numeric_value      double precision,
  comparator         text NOT NULL DEFAULT '' CHECK (comparator IN ('', '<', '<=', '>', '>=')),
  units              text NOT NULL DEFAULT '',
  raw_units          text NOT NULL DEFAULT '',
  reference_range    text NOT NULL DEFAULT '',
  abnormal_flag      text NOT NULL DEFAULT '',
  flags              text[] NOT NULL DEFAULT '{}',
  status             text NOT NULL CHECK (status IN ('final', 'preliminary', 'corrected', 'cannot_report')),
  analyzer_judgement text NOT NULL DEFAULT '',
  measured_at        text NOT NULL DEFAULT '',
  dilution           text NOT NULL DEFAULT '',
  decimals           smallint,
  comments           text[] NOT NULL DEFAULT '{}',
  received_at        timestamptz NOT NULL
);
-- Delta checks: the previous result of the same patient and test.
CREATE INDEX results_for_delta ON results (patient_id, code, received_at DESC)
  WHERE patient_id <> '' AND NOT is_qc;
CREATE INDEX results_by_specimen ON results (specimen_id);
CREATE INDEX results_by_specimen_row ON results (specimen_row_id);
CREATE INDEX results_by_analyzer_time ON results (analyzer_id, received_at);
COMMENT ON TABLE results IS 'One row per observation of the canonical model.';
COMMENT ON COLUMN results.specimen_row_id IS 'The specimens row it belongs to.';
COMMENT ON COLUMN results.message_id IS 'The message that carried it.';
COMMENT ON COLUMN results.specimen_id IS 'Copied from specimens for direct queries.';
COMMENT ON COLUMN results.patient_id IS 'Copied from specimens; empty when none.';
COMMENT ON COLUMN results.is_qc IS 'True for results of QC specimens (kind qc), which delta checks and the LIS ignore.';
COMMENT ON COLUMN results.code IS 'Canonical code (WBC, PT_SEC, CD4_ABS), or the analyzer''s code when unmapped.';
COMMENT ON COLUMN results.raw_code IS 'The analyzer''s code as sent.';
COMMENT ON COLUMN results.loinc IS 'LOINC from the mapping table, or sent by the analyzer.';
COMMENT ON COLUMN results.is_mapped IS 'False when the code is not in the analyzer''s mapping table.';
COMMENT ON COLUMN results.value IS 'Value as text, trimmed (8.13, < 1.20, ----, Negative).';
COMMENT ON COLUMN results.numeric_value IS 'The number when the value is one (after any comparator).';
COMMENT ON COLUMN results.comparator IS '<, <=, >, >= or empty.';
COMMENT ON COLUMN results.units IS 'UCUM units.';
COMMENT ON COLUMN results.raw_units IS 'Units as sent.';
COMMENT ON COLUMN results.reference_range IS 'Reference range as sent.';
COMMENT ON COLUMN results.abnormal_flag IS 'L, H, LL, HH, A, N or empty.';
COMMENT ON COLUMN results.flags IS 'Other instrument flags on the result (W, >, ...).';
COMMENT ON COLUMN results.status IS 'final, preliminary, corrected or cannot_report.';
COMMENT ON COLUMN results.analyzer_judgement IS 'The analyzer''s rerun/reflex judgement (Sysmex R-9), or empty.';
COMMENT ON COLUMN results.measured_at IS 'Analysis time as sent by the analyzer (its local time).';
COMMENT ON COLUMN results.dilution IS 'Dilution as sent, when any.';
COMMENT ON COLUMN results.decimals IS 'Reporting precision from the mapping table.';
COMMENT ON COLUMN results.comments IS 'Comments on this result.';
COMMENT ON COLUMN results.received_at IS 'When the message arrived.';

CREATE TABLE decisions (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  result_id        bigint NOT NULL REFERENCES results (id),
  decision         text NOT NULL CHECK (decision IN ('release', 'hold', 'rerun', 'reject')),
  rules_fired      jsonb NOT NULL DEFAULT '[]',
  rule_set_version text NOT NULL DEFAULT '',
  decided_by       text NOT NULL,
  reason           text NOT NULL DEFAULT '',
  decided_at       timestamptz NOT NULL DEFAULT now(),
  is_current       boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX decisions_one_current ON decisions (result_id) WHERE is_current;
CREATE INDEX decisions_review_queue ON decisions (decided_at) WHERE is_current AND decision = 'hold';
COMMENT ON TABLE decisions IS 'Every automatic or manual decision about a result; the latest has is_current.';
COMMENT ON COLUMN decisions.decision IS 'release, hold (technologist review), rerun, or reject.';
COMMENT ON COLUMN decisions.rules_fired IS 'The rules that fired: [{"rule_id", "action", "reason"}].';
COMMENT ON COLUMN decisions.rule_set_version IS 'Version of the rule set that decided (automatic decisions).';
COMMENT ON COLUMN decisions.decided_by IS 'rules:<version> for the rules engine, user:<name> for a technologist.';
COMMENT ON COLUMN decisions.reason IS 'Why, in words (the technologist''s comment for manual decisions).';
COMMENT ON COLUMN decisions.is_current IS 'True for the decision in force; earlier ones stay for the record.';

CREATE TABLE outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  specimen_row_id bigint NOT NULL REFERENCES specimens (id),
  result_ids      bigint[] NOT NULL,
  destination     text NOT NULL DEFAULT 'lis',
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text NOT NULL DEFAULT '',
  control_id      text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_dead ON outbox (created_at) WHERE status = 'dead';
COMMENT ON TABLE outbox IS 'What must go to the LIS; claimed with FOR UPDATE SKIP LOCKED so several nodes never send twice.';
COMMENT ON COLUMN outbox.result_ids IS 'The released results this row sends.';
COMMENT ON COLUMN outbox.destination IS 'Which LIS link sends it.';
COMMENT ON COLUMN outbox.status IS 'pending, sent (the LIS acknowledged it), or dead (refused too often; visible in the API).';
COMMENT ON COLUMN outbox.attempts IS 'Send attempts so far.';
COMMENT ON COLUMN outbox.next_attempt_at IS 'Not sent again before this time (back-off).';
COMMENT ON COLUMN outbox.last_error IS 'Why the last attempt failed (NAK text, timeout, connection error).';
COMMENT ON COLUMN outbox.control_id IS 'MSH-10 of the ORU sent, matched against the LIS ACK.';
COMMENT ON COLUMN outbox.sent_at IS 'When the LIS acknowledged it.';

CREATE TABLE audit_log (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  actor     text NOT NULL,
  action    text NOT NULL,
  entity    text NOT NULL,
  entity_id text NOT NULL,
  before    jsonb,
  after     jsonb
);
CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id, at);
COMMENT ON TABLE audit_log IS 'Append-only record of who changed what and when; UPDATE and DELETE are refused.';
COMMENT ON COLUMN audit_log.actor IS 'user:<name>, rules:<version>, or system:<component>.';
COMMENT ON COLUMN audit_log.action IS 'What was done (release, rerun, reject, reload_rules, ...).';
COMMENT ON COLUMN audit_log.entity IS 'The table or object acted on (result, rule_set, ...).';
COMMENT ON COLUMN audit_log.entity_id IS 'Its id.';
COMMENT ON COLUMN audit_log.before IS 'State before the change, or null.';
COMMENT ON COLUMN audit_log.after IS 'State after the change, or null.';

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
