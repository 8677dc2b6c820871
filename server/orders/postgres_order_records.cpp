#include "server/orders/postgres_order_records.hpp"

#include <pqxx/pqxx>

#include "server/store/json_documents.hpp"

namespace hemalink::orders {
namespace {

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

}  // namespace

Result<std::string, Error> PostgresOrderRecords::orders(const std::optional<std::string>& specimen,
                                                        bool only_overdue,
                                                        std::chrono::minutes overdue_after,
                                                        std::size_t limit) const {
  return store::one_document(dsn_, "listing orders", kOrders, specimen, only_overdue,
                             static_cast<long long>(overdue_after.count()),
                             static_cast<long long>(limit));
}

Result<std::string, Error> PostgresOrderRecords::unmapped_codes() const {
  return store::one_document(dsn_, "listing the LIS codes not in the mapping tables",
                             kUnmappedCodes);
}

Result<std::vector<records::UnmappedOrderCodes>, Error> PostgresOrderRecords::unmapped_counts()
    const {
  return store::on_thread_connection(
      dsn_, "counting the LIS codes not in the mapping tables",
      [&](pqxx::connection& c) -> Result<std::vector<records::UnmappedOrderCodes>, Error> {
        pqxx::read_transaction tx(c);
        std::vector<records::UnmappedOrderCodes> out;
        for (const auto& row : tx.exec(kUnmappedCounts))
          out.push_back({row[0].as<std::string>(), row[1].as<long long>(), row[2].as<long long>()});
        return out;
      });
}

}  // namespace hemalink::orders
