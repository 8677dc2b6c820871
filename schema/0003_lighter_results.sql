-- hemalink schema, version 3: cheaper result inserts, measured with the durable ingest
-- benchmark (scripts/dev.sh bench), where foreign-key checks were most of the cost of each
-- result. results.message_id and results.analyzer_id are copies of their specimen row's, which
-- keeps both foreign keys. decisions.result_id is written by the store in the same transaction
-- as its result, and by the review API with INSERT ... SELECT from results; results are never
-- deleted. Results are found by specimen through specimens (specimens_by_specimen_id, then
-- results_by_specimen_row).

ALTER TABLE results DROP CONSTRAINT results_message_id_fkey;
ALTER TABLE results DROP CONSTRAINT results_analyzer_id_fkey;
ALTER TABLE decisions DROP CONSTRAINT decisions_result_id_fkey;
DROP INDEX results_by_specimen;

COMMENT ON COLUMN results.message_id IS 'The message that carried it (a copy of its specimen row''s, which is checked).';
COMMENT ON COLUMN results.analyzer_id IS 'The analyzer that measured it (a copy of its specimen row''s, which is checked).';
COMMENT ON COLUMN results.specimen_id IS 'Copied from specimens for reading; to find results by specimen, go through specimens.';
COMMENT ON COLUMN decisions.result_id IS 'The result decided (results.id); written with the result or from it, never without one.';
COMMENT ON COLUMN decisions.decided_by IS 'rules:<version> for the rules engine, user:<name> for a technologist, system:<part> for hemalink''s own fail-safes (system:no-rules holds everything while no rule set is loaded).';
