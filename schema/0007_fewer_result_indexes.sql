-- hemalink schema, version 7: one index fewer on every result row, measured with the latency
-- benchmarks (scripts/dev.sh bench): a CBC writes about 30 results, and each index of results is
-- one more B-tree insert, and its WAL, in every commit an analyzer waits for. results_by_analyzer_time
-- served no query of hemalink's: an analyzer's results over a time are found through
-- messages_by_analyzer_time, then specimens_by_message, then results_by_specimen_row.

DROP INDEX results_by_analyzer_time;
