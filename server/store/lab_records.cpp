#include "server/store/lab_records.hpp"

#include <fmt/format.h>

#include "server/store/json_documents.hpp"

namespace hemalink::store {
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

constexpr const char* kOutbox =
    "SELECT coalesce(json_agg(json_build_object('outbox_id', id, 'destination', destination,"
    " 'specimen_id', specimen_id, 'status', status, 'attempts', attempts,"
    " 'result_ids', result_ids, 'corrects', corrects, 'control_id', control_id,"
    " 'last_error', last_error, 'claimed_by', claimed_by, 'created_at', created_at,"
    " 'next_attempt_at', next_attempt_at, 'sent_at', sent_at) ORDER BY id DESC), '[]')::text"
    " FROM (SELECT * FROM outbox WHERE ($1::text IS NULL OR status = $1)"
    " AND ($2::text IS NULL OR destination = $2) ORDER BY id DESC LIMIT $3) o";

constexpr const char* kOrders =
    "SELECT coalesce(json_agg(json_build_object('order_id', o.id, 'source', o.source,"
    " 'placer_number', o.placer_number, 'filler_number', o.filler_number,"
    " 'specimen_id', o.specimen_id, 'patient_id', o.patient_id, 'patient_sex', o.patient_sex,"
    " 'patient_birth_date', o.patient_birth_date, 'location', o.location,"
    " 'priority', o.priority, 'collected_at', o.collected_at, 'created_at', o.created_at,"
    " 'specimen_type', o.specimen_type, 'specimen_type_text', o.specimen_type_text,"
    " 'specimen_source', o.specimen_source, 'comment', o.comment,"
    " 'updated_at', o.updated_at, 'overdue', o.overdue,"
    " 'tests', (SELECT json_agg(json_build_object('code', t.code, 'lis_code', t.lis_code,"
    "   'lis_text', t.lis_text,"
    "   'is_mapped', t.is_mapped, 'status', t.status, 'analyzer', t.analyzer,"
    "   'reason', t.status_reason, 'status_at', t.status_at) ORDER BY t.id)"
    "   FROM order_tests t WHERE t.order_id = o.id)) ORDER BY o.id DESC), '[]')::text"
    " FROM (SELECT * FROM (SELECT o.*, (o.created_at < now() - make_interval(mins => $3::int)"
    "   AND EXISTS (SELECT 1 FROM order_tests t WHERE t.order_id = o.id"
    "   AND t.status IN ('ordered', 'sent', 'acknowledged'))) AS overdue"
    "   FROM orders o WHERE ($1::text IS NULL OR o.specimen_id = $1)) listed"
    "   WHERE (NOT $2::boolean OR listed.overdue) ORDER BY listed.id DESC LIMIT $4) o";

// Open tests whose LIS code the destination's table did not know, per destination and code.
constexpr const char* kUnmappedCodes =
    "SELECT coalesce(json_agg(json_build_object('destination', source, 'lis_code', lis_code,"
    " 'lis_text', lis_text, 'lis_coding_system', lis_coding_system, 'open_tests', tests,"
    " 'specimens', specimens, 'first_ordered_at', first_at, 'last_ordered_at', last_at,"
    " 'latest_specimen_id', latest_specimen) ORDER BY last_at DESC), '[]')::text FROM ("
    " SELECT o.source, t.lis_code, max(t.lis_text) AS lis_text,"
    "  max(t.lis_coding_system) AS lis_coding_system, count(*) AS tests,"
    "  count(DISTINCT o.specimen_id) AS specimens, min(t.ordered_at) AS first_at,"
    "  max(t.ordered_at) AS last_at,"
    "  (array_agg(o.specimen_id ORDER BY t.ordered_at DESC, t.id DESC))[1] AS latest_specimen"
    " FROM order_tests t JOIN orders o ON o.id = t.order_id"
    " WHERE NOT t.is_mapped AND t.status IN ('ordered', 'sent', 'acknowledged')"
    " GROUP BY o.source, t.lis_code) u";

constexpr const char* kUnmappedCounts =
    "SELECT o.source, count(DISTINCT t.lis_code), count(*)"
    " FROM order_tests t JOIN orders o ON o.id = t.order_id"
    " WHERE NOT t.is_mapped AND t.status IN ('ordered', 'sent', 'acknowledged')"
    " GROUP BY o.source ORDER BY o.source";

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

Result<std::string, StoreError> search_results_json(const std::string& dsn, const ResultQuery& q) {
  return one_document(dsn, "searching results", kSearch, q.analyzer, q.code, q.patient, q.decision,
                      q.since, q.until, q.before_id, static_cast<long long>(q.limit));
}

Result<std::optional<std::string>, StoreError> specimen_json(const std::string& dsn,
                                                             const std::string& specimen_id) {
  return maybe_document(dsn, "reading a specimen", kSpecimen, specimen_id);
}

Result<std::optional<std::string>, StoreError> message_json(const std::string& dsn,
                                                            const std::string& message_id) {
  return maybe_document(dsn, fmt::format("reading message {}", message_id), kMessage, message_id);
}

Result<std::string, StoreError> audit_json(const std::string& dsn,
                                           const std::optional<std::string>& entity,
                                           const std::optional<std::string>& since,
                                           std::size_t limit) {
  return one_document(dsn, "reading the audit log", kAudit, entity, since,
                      static_cast<long long>(limit));
}

Result<std::string, StoreError> analyzer_rows_json(const std::string& dsn) {
  return one_document(dsn, "reading the analyzers", kAnalyzers);
}

Result<std::string, StoreError> outbox_json(const std::string& dsn,
                                            const std::optional<std::string>& status,
                                            const std::optional<std::string>& destination,
                                            std::size_t limit) {
  return one_document(dsn, "listing the outbox", kOutbox, status, destination,
                      static_cast<long long>(limit));
}

Result<std::string, StoreError> orders_json(const std::string& dsn,
                                            const std::optional<std::string>& specimen,
                                            bool only_overdue, long long overdue_minutes,
                                            std::size_t limit) {
  return one_document(dsn, "listing orders", kOrders, specimen, only_overdue, overdue_minutes,
                      static_cast<long long>(limit));
}

Result<std::string, StoreError> unmapped_order_codes_json(const std::string& dsn) {
  return one_document(dsn, "listing the LIS codes not in the mapping tables", kUnmappedCodes);
}

Result<std::vector<UnmappedOrderCodes>, StoreError> unmapped_order_counts(const std::string& dsn) {
  return on_thread_connection(
      dsn, "counting the LIS codes not in the mapping tables",
      [&](pqxx::connection& c) -> Result<std::vector<UnmappedOrderCodes>, StoreError> {
        pqxx::read_transaction tx(c);
        std::vector<UnmappedOrderCodes> out;
        for (const auto& row : tx.exec(kUnmappedCounts))
          out.push_back({row[0].as<std::string>(), row[1].as<long long>(), row[2].as<long long>()});
        return out;
      });
}

Result<std::string, StoreError> analyzer_messages_since_json(const std::string& dsn,
                                                             const std::string& since) {
  return one_document(dsn, "counting the analyzers' messages", kAnalyzerMessagesSince, since);
}

Result<std::string, StoreError> rule_firings_json(const std::string& dsn,
                                                  const std::optional<std::string>& since) {
  return one_document(dsn, "counting rule firings", kRuleFirings, since);
}

Result<void, StoreError> ping(const std::string& dsn) {
  return on_thread_connection(dsn, "asking the database",
                              [&](pqxx::connection& c) -> Result<void, StoreError> {
                                pqxx::nontransaction tx(c);
                                tx.exec("SELECT 1");
                                return {};
                              });
}

}  // namespace hemalink::store
