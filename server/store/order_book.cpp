#include "server/store/order_book.hpp"

#include <fmt/format.h>

#include <pqxx/pqxx>

#include "server/store/epoch_seconds.hpp"
#include "server/store/pg_error.hpp"
#include "server/store/sql_arrays.hpp"
#include "server/store/thread_connection.hpp"

namespace hemalink::store {
namespace {

constexpr const char* kMessage =
    "INSERT INTO messages (id, destination, direction, protocol, peer_address, received_at, raw,"
    " content_hash, control_id, status, reject_reason, error_offset)"
    " VALUES ($1::uuid, $2, 'in', $3, $4, to_timestamp($5), $6::bytea, sha256($6::bytea), $7,"
    " $8, $9, $10)";

constexpr const char* kReject =
    "UPDATE messages SET status = 'rejected', reject_reason = $2 WHERE id = $1::uuid";

// An order sent again (or changed) keeps what it had where the new message says nothing, except
// that a change replaces the demographics outright.
constexpr const char* kUpsertOrder =
    "INSERT INTO orders AS o (source, placer_number, filler_number, specimen_id, patient_id,"
    " patient_sex, patient_birth_date, location, priority, collected_at, message_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::uuid)"
    " ON CONFLICT (source, specimen_id, placer_number) DO UPDATE SET"
    " filler_number = coalesce(nullif(excluded.filler_number, ''), o.filler_number),"
    " patient_id = CASE WHEN $12 OR excluded.patient_id <> '' THEN excluded.patient_id"
    "   ELSE o.patient_id END,"
    " patient_sex = CASE WHEN $12 OR excluded.patient_sex <> '' THEN excluded.patient_sex"
    "   ELSE o.patient_sex END,"
    " patient_birth_date = CASE WHEN $12 OR excluded.patient_birth_date <> ''"
    "   THEN excluded.patient_birth_date ELSE o.patient_birth_date END,"
    " location = coalesce(nullif(excluded.location, ''), o.location),"
    " priority = coalesce(nullif(excluded.priority, ''), o.priority),"
    " collected_at = coalesce(nullif(excluded.collected_at, ''), o.collected_at),"
    " updated_at = now()"
    " RETURNING id, (xmax = 0) AS created";

constexpr const char* kAddTests =
    "INSERT INTO order_tests AS t (order_id, code, lis_code, is_mapped)"
    " SELECT $1, code, lis_code, is_mapped"
    " FROM unnest($2::text[], $3::text[], $4::boolean[]) AS n (code, lis_code, is_mapped)"
    " ON CONFLICT (order_id, code) DO UPDATE SET status = 'ordered', status_reason = '',"
    "   status_at = now(), lis_code = excluded.lis_code"
    "   WHERE t.status = 'cancelled'";

constexpr const char* kFindOrder =
    "SELECT id FROM orders WHERE source = $1 AND specimen_id = $2 AND placer_number = $3";

constexpr const char* kCancelTests =
    "UPDATE order_tests SET status = 'cancelled', status_reason = $3, status_at = now()"
    " WHERE order_id = $1 AND status NOT IN ('resulted', 'cancelled')"
    " AND (cardinality($2::text[]) = 0 OR code = ANY ($2::text[]))";

constexpr const char* kUpdatePatient =
    "UPDATE orders o SET patient_sex = $3, patient_birth_date = $4, updated_at = now()"
    " WHERE source = $1 AND patient_id = $2"
    " AND (patient_sex, patient_birth_date) IS DISTINCT FROM ($3, $4)"
    " AND EXISTS (SELECT 1 FROM order_tests t WHERE t.order_id = o.id"
    "   AND t.status IN ('ordered', 'sent', 'acknowledged'))";

constexpr const char* kPendingOnAny =
    "SELECT o.id, o.source, o.placer_number, o.filler_number, o.specimen_id, o.patient_id,"
    " o.patient_sex, o.patient_birth_date, o.location, o.priority, o.collected_at,"
    " t.id, t.code, t.status"
    " FROM orders o JOIN order_tests t ON t.order_id = o.id"
    " WHERE o.specimen_id = ANY ($1::text[]) AND t.status IN ('ordered', 'sent', 'acknowledged')"
    " ORDER BY o.id, t.id";

constexpr const char* kOnSpecimens =
    "SELECT o.id, o.source, o.placer_number, o.filler_number, o.specimen_id, o.patient_id,"
    " o.patient_sex, o.patient_birth_date, o.location, o.priority, o.collected_at,"
    " t.id, t.code, t.status"
    " FROM orders o JOIN order_tests t ON t.order_id = o.id"
    " WHERE o.specimen_id = ANY ($1::text[]) ORDER BY o.id, t.id";

constexpr const char* kRerun =
    "UPDATE order_tests t SET status = 'ordered', status_reason = $3, status_at = now()"
    " FROM orders o WHERE t.order_id = o.id AND o.specimen_id = $1 AND t.code = ANY ($2::text[])"
    " AND t.status IN ('sent', 'acknowledged', 'resulted')";

constexpr const char* kReflex =
    "INSERT INTO order_tests AS t (order_id, code, lis_code, is_mapped, status_reason)"
    " SELECT o.id, c.code, 'reflex', true, $3"
    " FROM (SELECT id FROM orders WHERE specimen_id = $1 ORDER BY id DESC LIMIT 1) o,"
    " unnest($2::text[]) AS c (code)"
    " ON CONFLICT (order_id, code) DO UPDATE SET status = 'ordered',"
    "   status_reason = excluded.status_reason, status_at = now()"
    "   WHERE t.status IN ('sent', 'acknowledged', 'resulted')";

constexpr const char* kMarkSent =
    "UPDATE order_tests SET status = 'sent', analyzer = $2, status_at = now()"
    " WHERE id = ANY ($1::bigint[]) AND status IN ('ordered', 'sent', 'acknowledged')";

constexpr const char* kMarkAcknowledged =
    "UPDATE order_tests SET status = 'acknowledged', analyzer = $2, status_at = now()"
    " WHERE id = ANY ($1::bigint[]) AND status = 'sent' AND analyzer = $2";

// Orders first (a page of them), then their downloadable tests: ordered ones, and with $3 the
// ones sent to this analyzer and never acknowledged.
constexpr const char* kToDownload =
    "WITH wanted AS ("
    "  SELECT DISTINCT o.id FROM orders o JOIN order_tests t ON t.order_id = o.id"
    "   WHERE (cardinality($2::text[]) = 0 OR o.specimen_id = ANY ($2::text[]))"
    "     AND o.id > $6 AND t.code = ANY ($5::text[]) AND t.is_mapped AND (t.status = 'ordered'"
    "      OR ($3 AND t.status = 'sent' AND t.analyzer = $1))"
    "   ORDER BY o.id LIMIT $4)"
    " SELECT o.id, o.source, o.placer_number, o.filler_number, o.specimen_id, o.patient_id,"
    " o.patient_sex, o.patient_birth_date, o.location, o.priority, o.collected_at,"
    " t.id, t.code, t.status"
    " FROM wanted w JOIN orders o ON o.id = w.id JOIN order_tests t ON t.order_id = o.id"
    " WHERE t.code = ANY ($5::text[]) AND t.is_mapped"
    "   AND (t.status = 'ordered' OR ($3 AND t.status = 'sent' AND t.analyzer = $1))"
    " ORDER BY o.id, t.id";

model::Priority priority_named(std::string_view text) {
  if (text == "stat")
    return model::Priority::Stat;
  if (text == "asap")
    return model::Priority::Asap;
  if (text == "routine")
    return model::Priority::Routine;
  return model::Priority::Unknown;
}

struct TestColumns {
  std::vector<std::string> codes;
  std::vector<std::string> lis_codes;
  std::vector<std::string> mapped;
};

TestColumns columns_of(const std::vector<OrderedCode>& tests) {
  TestColumns c;
  for (const auto& t : tests) {
    c.codes.push_back(t.code);
    c.lis_codes.push_back(t.lis_code);
    c.mapped.push_back(t.is_mapped ? "true" : "false");
  }
  return c;
}

void place(pqxx::transaction_base& tx, const OrderReceipt& r, const MappedOrder& m,
           OrderChanges& changes) {
  const auto& o = m.order;
  const model::Patient none;
  const auto& p = o.patient ? *o.patient : none;
  const auto row =
      tx.exec_params1(kUpsertOrder, r.source, o.placer_number, o.filler_number, o.specimen_id, p.id,
                      p.sex, p.birth_date, o.location, model::to_string(o.priority), o.collected_at,
                      r.id.to_string(), o.control == model::OrderControl::Change);
  const auto order_id = row[0].as<long long>();
  ++(row[1].as<bool>() ? changes.orders_created : changes.orders_changed);
  const auto c = columns_of(m.tests);
  changes.tests_added += tx.exec_params(kAddTests, order_id, text_array(c.codes),
                                        text_array(c.lis_codes), text_array(c.mapped))
                             .affected_rows();
}

// Nothing to cancel is a refusal: the LIS believes in an order hemalink does not have.
std::optional<std::string> cancel(pqxx::transaction_base& tx, const OrderReceipt& r,
                                  const MappedOrder& m, OrderChanges& changes) {
  const auto& o = m.order;
  const auto found = tx.exec_params(kFindOrder, r.source, o.specimen_id, o.placer_number);
  if (found.empty()) {
    return fmt::format(
        "cancellation of an order hemalink does not have: specimen '{}', placer number '{}'",
        o.specimen_id, o.placer_number);
  }
  std::vector<std::string> codes;
  for (const auto& t : m.tests) {
    codes.push_back(t.code);
  }
  const auto reason = o.reason.empty() ? std::string("cancelled by the LIS") : o.reason;
  changes.tests_cancelled +=
      tx.exec_params(kCancelTests, found[0][0].as<long long>(), text_array(codes), reason)
          .affected_rows();
  return std::nullopt;
}

std::optional<std::string> apply(pqxx::transaction_base& tx, const OrderReceipt& r,
                                 OrderChanges& changes) {
  for (const auto& m : r.orders) {
    if (m.order.control == model::OrderControl::Cancel) {
      if (auto refused = cancel(tx, r, m, changes)) {
        return refused;
      }
    } else if (m.order.control != model::OrderControl::Status) {
      place(tx, r, m, changes);
    }
  }
  if (r.patient_update) {
    const auto& p = *r.patient_update;
    changes.patients_updated +=
        tx.exec_params(kUpdatePatient, r.source, p.id, p.sex, p.birth_date).affected_rows();
  }
  return std::nullopt;
}

std::optional<std::int64_t> offset_of(const OrderReceipt& r) {
  return r.error_offset;
}

std::vector<PendingOrder> read_orders(const pqxx::result& rows) {
  std::vector<PendingOrder> out;
  for (const auto& row : rows) {
    const auto id = row[0].as<long long>();
    if (out.empty() || out.back().id != id) {
      auto& o = out.emplace_back();
      o.id = id;
      o.source = row[1].as<std::string>();
      o.placer_number = row[2].as<std::string>();
      o.filler_number = row[3].as<std::string>();
      o.specimen_id = row[4].as<std::string>();
      o.patient.id = row[5].as<std::string>();
      o.patient.sex = row[6].as<std::string>();
      o.patient.birth_date = row[7].as<std::string>();
      o.location = row[8].as<std::string>();
      o.priority = priority_named(row[9].as<std::string>());
      o.collected_at = row[10].as<std::string>();
    }
    out.back().tests.push_back(
        {row[11].as<long long>(), row[12].as<std::string>(), row[13].as<std::string>()});
  }
  return out;
}

}  // namespace

Result<OrderChanges, StoreError> store_orders(const std::string& dsn, const OrderReceipt& r) {
  return on_thread_connection(
      dsn, fmt::format("storing order message {}", r.id.to_string()),
      [&](pqxx::connection& c) -> Result<OrderChanges, StoreError> {
        pqxx::work tx(c);
        tx.exec_params("SELECT set_config('hemalink.actor', $1, true)", "lis:" + r.source);
        tx.exec_params(kMessage, r.id.to_string(), r.source, model::to_string(r.protocol),
                       r.peer_address, epoch_seconds(r.received_at), pqxx::binarystring(r.raw),
                       r.control_id, r.refusal ? "rejected" : "accepted",
                       r.refusal ? std::optional<std::string>(*r.refusal) : std::nullopt,
                       offset_of(r));
        OrderChanges changes;
        if (!r.refusal) {
          std::optional<std::string> refused;
          {
            pqxx::subtransaction orders(tx, "orders");
            refused = apply(orders, r, changes);
            if (!refused) {
              orders.commit();
            }
          }
          if (refused) {
            changes = OrderChanges{};
            changes.refusal = refused;
            tx.exec_params(kReject, r.id.to_string(), *refused);
          }
        }
        tx.commit();
        return changes;
      });
}

Result<std::vector<PendingOrder>, StoreError> pending_orders(
    const std::string& dsn, const std::vector<std::string>& specimen_ids) {
  return on_thread_connection(
      dsn, fmt::format("reading the orders of {} specimen(s)", specimen_ids.size()),
      [&](pqxx::connection& c) -> Result<std::vector<PendingOrder>, StoreError> {
        c.prepare("pending_orders_on_any", kPendingOnAny);  // planned once per connection
        pqxx::read_transaction tx(c);
        return read_orders(tx.exec_prepared("pending_orders_on_any", text_array(specimen_ids)));
      });
}

Result<std::vector<PendingOrder>, StoreError> orders_on_specimens(
    const std::string& dsn, const std::vector<std::string>& specimen_ids) {
  return on_thread_connection(
      dsn, fmt::format("reading the orders of {} specimen(s)", specimen_ids.size()),
      [&](pqxx::connection& c) -> Result<std::vector<PendingOrder>, StoreError> {
        pqxx::read_transaction tx(c);
        return read_orders(tx.exec_params(kOnSpecimens, text_array(specimen_ids)));
      });
}

Result<std::size_t, StoreError> add_order_steps(const std::string& dsn, const OrderSteps& steps) {
  return on_thread_connection(
      dsn, fmt::format("ordering reruns and reflexes on specimen '{}'", steps.specimen_id),
      [&](pqxx::connection& c) -> Result<std::size_t, StoreError> {
        pqxx::work tx(c);
        tx.exec_params("SELECT set_config('hemalink.actor', $1, true)", steps.actor);
        std::size_t ordered = 0;
        if (!steps.reruns.empty()) {
          ordered += tx.exec_params(kRerun, steps.specimen_id, text_array(steps.reruns),
                                    "rerun: " + steps.reason)
                         .affected_rows();
        }
        if (!steps.reflexes.empty()) {
          ordered += tx.exec_params(kReflex, steps.specimen_id, text_array(steps.reflexes),
                                    "reflex: " + steps.reason)
                         .affected_rows();
        }
        tx.commit();
        return ordered;
      });
}

Result<void, StoreError> mark_tests(const std::string& dsn, const std::vector<TestMarks>& marks) {
  return on_thread_connection(
      dsn, fmt::format("marking the order tests of {} answer(s) and download(s)", marks.size()),
      [&](pqxx::connection& c) -> Result<void, StoreError> {
        pqxx::work tx(c);
        for (const auto& m : marks) {
          tx.exec_params("SELECT set_config('hemalink.actor', $1, true)",
                         fmt::format("analyzer:{}", m.analyzer));
          tx.exec_params(m.step == TestStep::Sent ? kMarkSent : kMarkAcknowledged,
                         bigint_array(m.ids), m.analyzer);
        }
        tx.commit();
        return {};
      });
}

Result<std::vector<PendingOrder>, StoreError> work_to_download(
    const std::string& dsn, std::string_view analyzer, const std::vector<std::string>& codes,
    const std::vector<std::string>& specimen_ids, bool with_unacknowledged, long long after_order,
    std::size_t limit) {
  return on_thread_connection(
      dsn, fmt::format("reading the work to download to {}", analyzer),
      [&](pqxx::connection& c) -> Result<std::vector<PendingOrder>, StoreError> {
        pqxx::read_transaction tx(c);
        return read_orders(tx.exec_params(
            kToDownload, std::string(analyzer), text_array(specimen_ids), with_unacknowledged,
            static_cast<long long>(limit), text_array(codes), after_order));
      });
}

}  // namespace hemalink::store
