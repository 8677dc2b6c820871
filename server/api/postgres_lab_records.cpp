#include "server/api/postgres_lab_records.hpp"

#include <fmt/format.h>

#include <pqxx/pqxx>

#include "server/store/json_documents.hpp"

namespace hemalink::api {

using store::maybe_document;
using store::on_thread_connection;
using store::one_document;

namespace {

constexpr const char* kSearch = R"sql(
SELECT json_build_object('results', coalesce(json_agg(doc ORDER BY id DESC), '[]'),
  'next_cursor', CASE WHEN count(*) = $8 THEN min(id)::text END)::text
FROM (
  SELECT r.id, json_build_object(
    'result_id', r.id, 'specimen_id', r.specimen_id, 'specimen_row_id', r.specimen_row_id,
    'analyzer', a.name, 'patient_id', r.patient_id, 'code', r.code, 'raw_code', r.raw_code,
    'loinc', r.loinc, 'value', r.value, 'numeric_value', r.numeric_value, 'units', r.units,
    'reference_range', r.reference_range, 'abnormal_flag', r.abnormal_flag, 'flags', r.flags,
    'status', r.status, 'received_at', r.received_at, 'decision', d.decision,
    'decided_by', d.decided_by) AS doc
  FROM results r
  JOIN analyzers a ON a.id = r.analyzer_id
  LEFT JOIN decisions d ON d.result_id = r.id AND d.is_current
  WHERE ($1::text IS NULL OR a.name = $1)
    AND ($2::text IS NULL OR r.code = $2)
    AND ($3::text IS NULL OR r.patient_id = $3)
    AND ($4::text IS NULL OR d.decision = $4)
    AND ($5::timestamptz IS NULL OR r.received_at >= $5)
    AND ($6::timestamptz IS NULL OR r.received_at < $6)
    AND ($7::bigint IS NULL OR r.id < $7)
  ORDER BY r.id DESC LIMIT $8) page
)sql";

constexpr const char* kSpecimen = R"sql(
SELECT json_build_object('specimen_id', $1::text, 'transmissions', json_agg(t.doc ORDER BY t.id))::text
FROM (
  SELECT s.id, json_build_object(
    'specimen_row_id', s.id, 'message_id', s.message_id, 'analyzer', a.name, 'kind', s.kind,
    'sample_type', s.sample_type, 'is_rerun', s.is_rerun, 'priority', s.priority,
    'patient_id', s.patient_id,
    'patient_sex', s.patient_sex, 'patient_birth_date', s.patient_birth_date,
    'qc_material', s.qc_material, 'qc_level', s.qc_level, 'qc_lot', s.qc_lot,
    'received_at', s.received_at, 'specimen_flags', s.specimen_flags, 'comments', s.comments,
    'attachments', s.attachments, 'results', (SELECT coalesce(json_agg(json_build_object(
        'result_id', r.id, 'code', r.code, 'raw_code', r.raw_code, 'loinc', r.loinc,
        'value', r.value, 'numeric_value', r.numeric_value, 'units', r.units,
        'reference_range', r.reference_range, 'abnormal_flag', r.abnormal_flag,
        'flags', r.flags, 'status', r.status, 'comments', r.comments,
        'decisions', (SELECT json_agg(json_build_object(
            'decision', d.decision, 'is_current', d.is_current, 'decided_by', d.decided_by,
            'reason', d.reason, 'rules_fired', d.rules_fired,
            'rule_set_version', d.rule_set_version, 'decided_at', d.decided_at)
            ORDER BY d.is_current DESC, d.id DESC) FROM decisions d WHERE d.result_id = r.id),
        'delivery', (SELECT coalesce(json_agg(json_build_object(
            'outbox_id', o.id, 'destination', o.destination, 'status', o.status,
            'attempts', o.attempts, 'sent_at', o.sent_at, 'last_error', o.last_error)
            ORDER BY o.id), '[]')
          FROM outbox o WHERE o.specimen_row_id = s.id AND r.id = ANY (o.result_ids)))
        ORDER BY r.id), '[]') FROM results r WHERE r.specimen_row_id = s.id)) AS doc
  FROM specimens s JOIN analyzers a ON a.id = s.analyzer_id
  WHERE s.specimen_id = $1) t
HAVING count(*) > 0
)sql";

constexpr const char* kMessage =
    "SELECT json_build_object('message_id', m.id, 'analyzer', a.name,"
    " 'destination', m.destination, 'direction', m.direction, 'protocol', m.protocol,"
    " 'peer_address', m.peer_address, 'received_at', m.received_at, 'stored_at', m.stored_at,"
    " 'control_id', m.control_id, 'status', m.status, 'reject_reason', m.reject_reason,"
    " 'error_offset', m.error_offset, 'duplicate_of', m.duplicate_of,"
    " 'bytes', octet_length(m.raw), 'raw', convert_from(m.raw, 'LATIN1'))::text"
    " FROM messages m LEFT JOIN analyzers a ON a.id = m.analyzer_id WHERE m.id = $1::uuid";

constexpr const char* kAudit =
    "SELECT coalesce(json_agg(json_build_object('id', id, 'at', at, 'actor', actor,"
    " 'action', action, 'entity', entity, 'entity_id', entity_id, 'before', before,"
    " 'after', after) ORDER BY id DESC), '[]')::text FROM (SELECT * FROM audit_log"
    " WHERE ($1::text IS NULL OR entity = $1) AND ($2::timestamptz IS NULL OR at >= $2)"
    " ORDER BY id DESC LIMIT $3) a";

constexpr const char* kAnalyzers =
    "SELECT coalesce(json_object_agg(name, json_build_object('model', model, 'serial', serial,"
    " 'software_version', software_version, 'last_seen_at', last_seen_at)), '{}')::text"
    " FROM analyzers";

// Per analyzer, one index range (messages_by_analyzer_time) each.
constexpr const char* kAnalyzerMessagesSince =
    "SELECT coalesce(json_object_agg(a.name, counts.by_status), '{}')::text FROM analyzers a"
    " CROSS JOIN LATERAL (SELECT json_object_agg(status, n) AS by_status FROM ("
    "   SELECT m.status, count(*) AS n FROM messages m"
    "   WHERE m.analyzer_id = a.id AND m.received_at >= $1::timestamptz GROUP BY m.status) s)"
    " counts WHERE counts.by_status IS NOT NULL";

constexpr const char* kRuleFirings =
    "SELECT coalesce(json_agg(json_build_object('rule_id', rule_id, 'fired', fired,"
    " 'held', held) ORDER BY fired DESC, rule_id), '[]')::text FROM ("
    " SELECT f->>'rule_id' AS rule_id, count(*) AS fired,"
    " count(*) FILTER (WHERE f->>'action' = 'hold') AS held"
    " FROM decisions d CROSS JOIN LATERAL jsonb_array_elements(d.rules_fired) f"
    " WHERE d.decided_at >= coalesce($1::timestamptz, now() - interval '1 day') GROUP BY 1) t";

}  // namespace

Result<std::string, Error> PostgresLabRecords::search_results(const records::ResultQuery& q) const {
  return one_document(dsn_, "searching results", kSearch, q.analyzer, q.code, q.patient, q.decision,
                      q.since, q.until, q.before_id, static_cast<long long>(q.limit));
}

Result<std::optional<std::string>, Error> PostgresLabRecords::specimen(
    const std::string& specimen_id) const {
  return maybe_document(dsn_, "reading a specimen", kSpecimen, specimen_id);
}

Result<std::optional<std::string>, Error> PostgresLabRecords::message(
    const std::string& message_id) const {
  return maybe_document(dsn_, fmt::format("reading message {}", message_id), kMessage, message_id);
}

Result<std::string, Error> PostgresLabRecords::audit(const std::optional<std::string>& entity,
                                                     const std::optional<std::string>& since,
                                                     std::size_t limit) const {
  return one_document(dsn_, "reading the audit log", kAudit, entity, since,
                      static_cast<long long>(limit));
}

Result<std::string, Error> PostgresLabRecords::analyzer_rows() const {
  return one_document(dsn_, "reading the analyzers", kAnalyzers);
}

Result<std::string, Error> PostgresLabRecords::analyzer_messages_since(
    const std::string& since) const {
  return one_document(dsn_, "counting the analyzers' messages", kAnalyzerMessagesSince, since);
}

Result<std::string, Error> PostgresLabRecords::rule_firings(
    const std::optional<std::string>& since) const {
  return one_document(dsn_, "counting rule firings", kRuleFirings, since);
}

Result<void, Error> PostgresLabRecords::ping() const {
  return on_thread_connection(dsn_, "asking the database",
                              [&](pqxx::connection& c) -> Result<void, Error> {
                                pqxx::nontransaction tx(c);
                                tx.exec("SELECT 1");
                                return {};
                              });
}

}  // namespace hemalink::api
