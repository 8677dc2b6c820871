#include "server/qc/postgres_qc_records.hpp"

#include "server/store/json_documents.hpp"

namespace hemalink::qc {

using store::one_document;

namespace {

constexpr const char* kSeries = R"sql(
SELECT json_build_object('analyzer', $1::text, 'test', $2::text,
  'levels', coalesce(json_agg(l.doc ORDER BY l.material, l.level), '[]'))::text
FROM (
  SELECT p.material, p.level, json_build_object('material', p.material, 'level', p.level,
    'points', json_agg(json_build_object('evaluation_id', p.id, 'result_id', p.result_id,
      'at', p.evaluated_at, 'measured_at', p.measured_at, 'value', p.value, 'lot', p.lot, 'phase', p.phase,
      'mean', p.target_mean, 'sd', p.target_sd, 'z', p.z, 'run_id', p.run_id,
      'run_rejected', p.in_rejected_run, 'run_values', p.run_values,
      'violations', p.violations) ORDER BY p.id)) AS doc
  FROM (SELECT q.*, r.measured_at,
          bool_or(q.run_rejected) OVER (PARTITION BY q.run_id) AS in_rejected_run
        FROM qc_evaluations q JOIN analyzers a ON a.id = q.analyzer_id
        JOIN results r ON r.id = q.result_id
        WHERE a.name = $1 AND q.test = $2 AND ($3::text IS NULL OR q.material = $3)
          AND ($4::text IS NULL OR q.lot = $4)
          AND ($5::timestamptz IS NULL OR q.evaluated_at >= $5)
        ORDER BY q.id DESC LIMIT $6) p
  GROUP BY p.material, p.level) l
)sql";

// The latest failure: its last rejected run, the accepted run before the first rejection of
// that episode, and the accepted run after it (if any yet).
constexpr const char* kBracket = R"sql(
WITH q AS (
  SELECT q.evaluated_at, q.run_id, q.run_rejected, a.id AS analyzer_id
  FROM qc_evaluations q JOIN analyzers a ON a.id = q.analyzer_id
  WHERE a.name = $1 AND q.test = $2 AND q.phase = 'judged'),
rejected_runs AS (SELECT DISTINCT run_id FROM q WHERE run_rejected),
last_rejection AS (SELECT max(evaluated_at) AS at FROM q WHERE run_rejected),
accepted_before AS (
  SELECT max(evaluated_at) AS at FROM q
  WHERE run_id NOT IN (SELECT run_id FROM rejected_runs)
    AND evaluated_at < (SELECT at FROM last_rejection)),
failed AS (
  SELECT min(evaluated_at) AS at FROM q WHERE run_rejected
    AND evaluated_at > coalesce((SELECT at FROM accepted_before), '-infinity')),
accepted_after AS (
  SELECT min(evaluated_at) AS at FROM q
  WHERE run_id NOT IN (SELECT run_id FROM rejected_runs)
    AND evaluated_at > (SELECT at FROM last_rejection)),
released AS (
  SELECT r.id, r.specimen_id, r.patient_id, r.value, r.units, r.received_at, d.decided_by,
    d.decided_at, EXISTS (SELECT 1 FROM outbox o WHERE r.id = ANY (o.result_ids)
      AND o.status = 'sent') AS sent
  FROM results r JOIN analyzers a ON a.id = r.analyzer_id
  JOIN decisions d ON d.result_id = r.id AND d.is_current AND d.decision = 'release'
  WHERE (SELECT at FROM failed) IS NOT NULL AND a.name = $1 AND r.code = $2 AND NOT r.is_qc
    AND r.received_at > coalesce((SELECT at FROM accepted_before), '-infinity')
    AND r.received_at <= coalesce((SELECT at FROM accepted_after), now())
  ORDER BY r.id LIMIT 5000)
SELECT json_build_object('analyzer', $1::text, 'test', $2::text,
  'failed_at', (SELECT at FROM failed),
  'accepted_before', (SELECT at FROM accepted_before),
  'accepted_after', (SELECT at FROM accepted_after),
  'results', coalesce((SELECT json_agg(json_build_object('result_id', id,
    'specimen_id', specimen_id, 'patient_id', patient_id, 'value', value, 'units', units,
    'received_at', received_at, 'decided_by', decided_by, 'decided_at', decided_at,
    'sent_to_lis', sent) ORDER BY id) FROM released), '[]'))::text
)sql";

// The gate's holds of a failed run name it: "QC rejected at <time>: <rules>", the time of the
// episode's first rejected control (to the second), the same for every result it held.
constexpr const char* kHeld = R"sql(
WITH holds AS (
  SELECT d.result_id, d.decided_at, d.reason,
    substring(d.reason from '^QC rejected at ([0-9T:-]+Z): ') AS rejected_at
  FROM decisions d
  WHERE d.is_current AND d.decision = 'hold' AND d.decided_by = 'system:qc-gate'
    AND d.reason LIKE 'QC rejected at %'),
groups AS (
  SELECT a.id AS analyzer_id, a.name AS analyzer, r.code AS test, h.reason,
    h.rejected_at, h.rejected_at::timestamptz AS rejected_time,
    json_agg(json_build_object('result_id', r.id, 'specimen_row_id', r.specimen_row_id,
      'specimen_id', r.specimen_id, 'patient_id', r.patient_id, 'test', r.code,
      'value', r.value, 'units', r.units, 'received_at', r.received_at, 'held_at', h.decided_at)
      ORDER BY r.received_at, r.id) AS held
  FROM holds h JOIN results r ON r.id = h.result_id JOIN analyzers a ON a.id = r.analyzer_id
  WHERE h.rejected_at IS NOT NULL
  GROUP BY a.id, a.name, r.code, h.reason, h.rejected_at),
failures AS (
  SELECT g.*, (
    SELECT min(q.evaluated_at) FROM qc_evaluations q
    WHERE q.analyzer_id = g.analyzer_id AND q.test = g.test AND q.run_rejected
      AND q.evaluated_at >= g.rejected_time
      AND q.evaluated_at < g.rejected_time + interval '1 second') AS failed_time
  FROM groups g),
episodes AS (
  SELECT g.*, (
    SELECT q.run_id FROM qc_evaluations q
    WHERE q.analyzer_id = g.analyzer_id AND q.test = g.test AND q.phase = 'judged'
      AND q.evaluated_at > coalesce(g.failed_time, g.rejected_time + interval '1 second')
      AND NOT EXISTS (SELECT 1 FROM qc_evaluations o WHERE o.run_id = q.run_id
                      AND o.analyzer_id = q.analyzer_id AND o.run_rejected)
    ORDER BY q.evaluated_at, q.id LIMIT 1) AS accepted_run
  FROM failures g)
SELECT json_build_object('groups', coalesce(json_agg(json_build_object(
  'analyzer', e.analyzer, 'test', e.test, 'rejected_at', e.rejected_at, 'reason', e.reason,
  'rules', (SELECT coalesce(json_agg(DISTINCT v->>'rule'), '[]')
            FROM qc_evaluations q, jsonb_array_elements(q.violations) v
            WHERE q.analyzer_id = e.analyzer_id AND q.test = e.test AND q.run_rejected
              AND q.evaluated_at >= e.rejected_time
              AND q.evaluated_at < e.rejected_time + interval '1 second'
              AND v->>'rule' <> '1-2s'),
  'accepted_at', (SELECT max(q.evaluated_at) FROM qc_evaluations q
                  WHERE q.analyzer_id = e.analyzer_id AND q.run_id = e.accepted_run),
  'decided', (SELECT count(*) FROM decisions d JOIN results r ON r.id = d.result_id
              WHERE NOT d.is_current AND d.decision = 'hold'
                AND d.decided_by = 'system:qc-gate' AND d.reason = e.reason
                AND d.decided_at >= e.rejected_time AND r.analyzer_id = e.analyzer_id
                AND r.code = e.test),
  'held', e.held) ORDER BY e.rejected_time, e.analyzer, e.test), '[]'))::text
FROM episodes e
)sql";

constexpr const char* kHeldGroup = R"sql(
SELECT json_build_object('members', coalesce(json_agg(json_build_object('result_id', r.id,
  'specimen_id', r.specimen_id, 'test', r.code, 'is_held', d.is_current,
  'decision', c.decision, 'decided_by', c.decided_by, 'decided_at', c.decided_at)
  ORDER BY r.received_at, r.id), '[]'))::text
FROM decisions d JOIN results r ON r.id = d.result_id JOIN analyzers a ON a.id = r.analyzer_id
JOIN decisions c ON c.result_id = r.id AND c.is_current
WHERE d.decision = 'hold' AND d.decided_by = 'system:qc-gate'
  AND left(d.reason, length('QC rejected at ' || $3 || ': ')) = 'QC rejected at ' || $3 || ': '
  AND d.decided_at >= $3::timestamptz AND a.name = $1 AND r.code = $2
)sql";

constexpr const char* kAverages = R"sql(
SELECT json_build_object('analyzer', $1::text, 'test', $2::text,
  'points', coalesce(json_agg(json_build_object('at', p.at, 'method', p.method,
    'value', p.value, 'results', p.results, 'target', p.target, 'low', p.low, 'high', p.high,
    'outside_points', p.outside_points, 'is_excursion', p.is_excursion, 'acts_on_gate', p.acts_on_gate) ORDER BY p.id), '[]'))::text
FROM (SELECT q.* FROM qc_patient_averages q JOIN analyzers a ON a.id = q.analyzer_id
      WHERE a.name = $1 AND q.test = $2 AND ($3::timestamptz IS NULL OR q.at >= $3)
      ORDER BY q.id DESC LIMIT $4) p
)sql";

constexpr const char* kLatestAverages = R"sql(
SELECT json_build_object('averages', coalesce(json_agg(json_build_object('analyzer', p.analyzer,
    'test', p.test, 'method', p.method, 'at', p.at, 'value', p.value, 'results', p.results,
    'target', p.target, 'low', p.low, 'high', p.high, 'outside_points', p.outside_points,
    'is_excursion', p.is_excursion, 'acts_on_gate', p.acts_on_gate)
    ORDER BY p.analyzer, p.test), '[]'))::text
FROM (SELECT DISTINCT ON (q.analyzer_id, q.test, q.method) a.name AS analyzer, q.*
      FROM qc_patient_averages q JOIN analyzers a ON a.id = q.analyzer_id
      WHERE $1::text IS NULL OR a.name = $1
      ORDER BY q.analyzer_id, q.test, q.method, q.id DESC) p
)sql";

}  // namespace

Result<std::string, Error> PostgresQcRecords::latest_averages(
    const std::optional<std::string>& analyzer) const {
  return one_document(dsn_, "reading the latest patient averages", kLatestAverages, analyzer);
}

Result<std::string, Error> PostgresQcRecords::averages(const std::string& analyzer,
                                                       const std::string& test,
                                                       const std::optional<std::string>& since,
                                                       std::size_t limit) const {
  return one_document(dsn_, "reading a patient average series", kAverages, analyzer, test, since,
                      static_cast<long long>(limit));
}

Result<std::string, Error> PostgresQcRecords::series(const QcSeriesQuery& q) const {
  return one_document(dsn_, "reading a Levey-Jennings series", kSeries, q.analyzer, q.test,
                      q.material, q.lot, q.since, static_cast<long long>(q.limit));
}

Result<std::string, Error> PostgresQcRecords::bracket(const std::string& analyzer,
                                                      const std::string& test) const {
  return one_document(dsn_, "bracketing a QC failure", kBracket, analyzer, test);
}

Result<std::string, Error> PostgresQcRecords::held() const {
  return one_document(dsn_, "reading the results held by failed QC runs", kHeld);
}

Result<std::string, Error> PostgresQcRecords::held_group(const std::string& analyzer,
                                                         const std::string& test,
                                                         const std::string& rejected_at) const {
  return one_document(dsn_, "reading the results one failed QC run held", kHeldGroup, analyzer,
                      test, rejected_at);
}

Result<QcDefinitionRow, Error> PostgresQcRecords::put_definition(const QcDefinitionRow& row) {
  return put_qc_definition(dsn_, row);
}

}  // namespace hemalink::qc
