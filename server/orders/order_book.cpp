#include "server/orders/order_book.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <pqxx/pqxx>

#include "server/orders/errc.hpp"
#include "server/store/epoch_seconds.hpp"
#include "server/store/pg_error.hpp"
#include "server/store/resend_key.hpp"
#include "server/store/sql_arrays.hpp"
#include "server/store/thread_connection.hpp"

namespace hemalink::orders {

using store::bigint_array;
using store::epoch_seconds;
using store::on_thread_connection;
using store::resend_key;
using store::StoreError;
using store::text_array;
using store::thread_connection;

using records::MappedOrder;
using records::OrderChanges;
using records::OrderedCode;
using records::OrderReceipt;
using records::OrderSteps;
using records::PendingOrder;
using records::TestMarks;
using records::TestStep;

namespace {

constexpr const char* kMessage =
    "INSERT INTO messages (id, destination, direction, protocol, peer_address, received_at, raw,"
    " content_hash, control_id, status, reject_reason, error_offset, resend_key, duplicate_of)"
    " VALUES ($1::uuid, $2, 'in', $3, $4, to_timestamp($5), $6::bytea, sha256($6::bytea), $7,"
    " $8, $9, $10, $11::bytea, $12::uuid)";

// The message this one repeats: the last one this LIS sent (duplicates aside), when it had these
// bytes (its send time aside). A resend after a lost acknowledgement comes before anything new;
// the same bytes after other messages (a counter that started again, an ASTM H-3 that never
// changes) are a new message and applied. Not prepared: a generic plan does not see that
// `destination = $1` fits the partial index messages_from_lis_by_time, and scans the table.
constexpr const char* kRepeatsLatest =
    "SELECT id, status, coalesce(reject_reason, '') FROM ("
    "  SELECT id, status, reject_reason, resend_key FROM messages"
    "  WHERE destination = $1 AND direction = 'in' AND status <> 'duplicate'"
    "  ORDER BY received_at DESC LIMIT 1) last"
    " WHERE resend_key = $2::bytea";

constexpr const char* kReject =
    "UPDATE messages SET status = 'rejected', reject_reason = $2 WHERE id = $1::uuid";

// An order sent again (or changed) keeps what it had where the new message says nothing, except
// that a change replaces the demographics outright.
constexpr const char* kUpsertOrder =
    "INSERT INTO orders AS o (source, placer_number, filler_number, specimen_id, patient_id,"
    " patient_sex, patient_birth_date, location, priority, collected_at, message_id,"
    " specimen_type, specimen_type_text, specimen_type_system, specimen_source, comment)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::uuid, $13, $14, $15, $16, $17)"
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
    " specimen_type = coalesce(nullif(excluded.specimen_type, ''), o.specimen_type),"
    " specimen_type_text = CASE WHEN excluded.specimen_type <> ''"
    "   THEN excluded.specimen_type_text ELSE o.specimen_type_text END,"
    " specimen_type_system = CASE WHEN excluded.specimen_type <> ''"
    "   THEN excluded.specimen_type_system ELSE o.specimen_type_system END,"
    " specimen_source = coalesce(nullif(excluded.specimen_source, ''), o.specimen_source),"
    " comment = coalesce(nullif(excluded.comment, ''), o.comment),"
    " updated_at = now()"
    " RETURNING id, (xmax = 0) AS created";

// One row per canonical code among the mapped tests, per LIS code among the unmapped ones (whose
// code is the LIS's). A cancelled test ordered again is ordered again.
constexpr const char* kAddTests =
    "INSERT INTO order_tests AS t (order_id, code, lis_code, is_mapped, lis_text,"
    " lis_coding_system)"
    " SELECT $1, code, lis_code, is_mapped, lis_text, lis_system"
    " FROM unnest($2::text[], $3::text[], $4::boolean[], $5::text[], $6::text[])"
    "   AS n (code, lis_code, is_mapped, lis_text, lis_system)"
    " ON CONFLICT (order_id, is_mapped, code) DO UPDATE SET status = 'ordered',"
    "   status_reason = '', status_at = now(), lis_code = excluded.lis_code"
    "   WHERE t.status = 'cancelled'";

// A transaction that changes several order tests locks them first, in one statement, in id
// order, so that two of them (the marks, a download, an order change, a rerun) wait for each
// other instead of deadlocking: an UPDATE alone takes its rows in the order it finds them.
constexpr const char* kLockTests =
    "SELECT id FROM order_tests WHERE id = ANY ($1::bigint[]) ORDER BY id FOR NO KEY UPDATE";

constexpr const char* kLockTestsOfOrders =
    "SELECT t.id FROM orders o JOIN order_tests t ON t.order_id = o.id"
    " WHERE o.source = $1 AND (o.specimen_id, o.placer_number) IN"
    "   (SELECT * FROM unnest($2::text[], $3::text[]))"
    " ORDER BY t.id FOR NO KEY UPDATE OF t";

constexpr const char* kLockTestsOfSpecimen =
    "SELECT t.id FROM orders o JOIN order_tests t ON t.order_id = o.id WHERE o.specimen_id = $1"
    " ORDER BY t.id FOR NO KEY UPDATE OF t";

constexpr const char* kFindOrder =
    "SELECT id FROM orders WHERE source = $1 AND specimen_id = $2 AND placer_number = $3";

constexpr const char* kCancelTests =
    "UPDATE order_tests SET status = 'cancelled', status_reason = $3, status_at = now()"
    " WHERE order_id = $1 AND status NOT IN ('resulted', 'cancelled')"
    " AND (cardinality($2::text[]) = 0"
    "   OR (is_mapped, code) IN (SELECT * FROM unnest($4::boolean[], $2::text[])))";

constexpr const char* kUpdatePatient =
    "UPDATE orders o SET patient_sex = $3, patient_birth_date = $4, updated_at = now()"
    " WHERE source = $1 AND patient_id = $2"
    " AND (patient_sex, patient_birth_date) IS DISTINCT FROM ($3, $4)"
    " AND EXISTS (SELECT 1 FROM order_tests t WHERE t.order_id = o.id"
    "   AND t.status IN ('ordered', 'sent', 'acknowledged'))";

constexpr const char* kPendingOnAny =
    "SELECT o.id, o.source, o.placer_number, o.filler_number, o.specimen_id, o.patient_id,"
    " o.patient_sex, o.patient_birth_date, o.location, o.priority, o.collected_at,"
    " t.id, t.code, t.status, t.is_mapped, o.specimen_type, o.specimen_source, o.comment,"
    " o.specimen_type_text, o.specimen_type_system"
    " FROM orders o JOIN order_tests t ON t.order_id = o.id"
    " WHERE o.specimen_id = ANY ($1::text[]) AND t.status IN ('ordered', 'sent', 'acknowledged')"
    "   AND t.is_mapped"
    " ORDER BY o.id, t.id";

constexpr const char* kOnSpecimens =
    "SELECT o.id, o.source, o.placer_number, o.filler_number, o.specimen_id, o.patient_id,"
    " o.patient_sex, o.patient_birth_date, o.location, o.priority, o.collected_at,"
    " t.id, t.code, t.status, t.is_mapped, o.specimen_type, o.specimen_source, o.comment,"
    " o.specimen_type_text, o.specimen_type_system"
    " FROM orders o JOIN order_tests t ON t.order_id = o.id"
    " WHERE o.specimen_id = ANY ($1::text[]) ORDER BY o.id, t.id";

constexpr const char* kRerun =
    "UPDATE order_tests t SET status = 'ordered', status_reason = $3, status_at = now()"
    " FROM orders o WHERE t.order_id = o.id AND o.specimen_id = $1 AND t.code = ANY ($2::text[])"
    " AND t.is_mapped AND t.status IN ('sent', 'acknowledged', 'resulted')";

constexpr const char* kReflex =
    "INSERT INTO order_tests AS t (order_id, code, lis_code, is_mapped, status_reason)"
    " SELECT o.id, c.code, 'reflex', true, $3"
    " FROM (SELECT id FROM orders WHERE specimen_id = $1 ORDER BY id DESC LIMIT 1) o,"
    " unnest($2::text[]) AS c (code)"
    " ON CONFLICT (order_id, is_mapped, code) DO UPDATE SET status = 'ordered',"
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
    " t.id, t.code, t.status, t.is_mapped, o.specimen_type, o.specimen_source, o.comment,"
    " o.specimen_type_text, o.specimen_type_system"
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
  std::vector<std::string> lis_texts;
  std::vector<std::string> lis_systems;
};

TestColumns columns_of(const std::vector<OrderedCode>& tests) {
  TestColumns c;
  for (const auto& t : tests) {
    c.codes.push_back(t.code);
    c.lis_codes.push_back(t.lis_code);
    c.mapped.push_back(t.is_mapped ? "true" : "false");
    c.lis_texts.push_back(t.lis_text);
    c.lis_systems.push_back(t.lis_coding_system);
  }
  return c;
}

std::size_t add_tests(pqxx::transaction_base& tx, long long order_id,
                      const std::vector<OrderedCode>& tests) {
  const auto c = columns_of(tests);
  return tx
      .exec_params(kAddTests, order_id, text_array(c.codes), text_array(c.lis_codes),
                   text_array(c.mapped), text_array(c.lis_texts), text_array(c.lis_systems))
      .affected_rows();
}

void place(pqxx::transaction_base& tx, const OrderReceipt& r, const MappedOrder& m,
           OrderChanges& changes) {
  const auto& o = m.order;
  const model::Patient none;
  const auto& p = o.patient ? *o.patient : none;
  const auto row = tx.exec_params1(
      kUpsertOrder, r.source, o.placer_number, o.filler_number, o.specimen_id, p.id, p.sex,
      p.birth_date, o.location, model::to_string(o.priority), o.collected_at, r.id.to_string(),
      o.control == model::OrderControl::Change, o.specimen_type.code, o.specimen_type.text,
      o.specimen_type.coding_system, o.specimen_source, o.comment);
  const auto order_id = row[0].as<long long>();
  ++(row[1].as<bool>() ? changes.orders_created : changes.orders_changed);
  changes.tests_added += add_tests(tx, order_id, m.tests);
}

// Nothing to cancel is a refusal: the LIS believes in an order hemalink does not have.
Result<void, Error> cancel(pqxx::transaction_base& tx, const OrderReceipt& r, const MappedOrder& m,
                           OrderChanges& changes) {
  const auto& o = m.order;
  const auto found = tx.exec_params(kFindOrder, r.source, o.specimen_id, o.placer_number);
  if (found.empty()) {
    return Error{Errc::NoSuchOrder,
                 fmt::format("cancellation of an order hemalink does not have: specimen '{}', "
                             "placer number '{}'",
                             o.specimen_id, o.placer_number)};
  }
  const auto c = columns_of(m.tests);
  const auto reason = o.reason.empty() ? std::string("cancelled by the LIS") : o.reason;
  changes.tests_cancelled += tx.exec_params(kCancelTests, found[0][0].as<long long>(),
                                            text_array(c.codes), reason, text_array(c.mapped))
                                 .affected_rows();
  return {};
}

Result<void, Error> apply(pqxx::transaction_base& tx, const OrderReceipt& r,
                          OrderChanges& changes) {
  std::vector<std::string> specimens;
  std::vector<std::string> placers;
  for (const auto& m : r.orders) {
    specimens.push_back(m.order.specimen_id);
    placers.push_back(m.order.placer_number);
  }
  tx.exec_params(kLockTestsOfOrders, r.source, text_array(specimens), text_array(placers));
  for (const auto& m : r.orders) {
    if (m.order.control == model::OrderControl::Cancel) {
      if (auto cancelled = cancel(tx, r, m, changes); !cancelled) {
        return cancelled;
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
  return {};
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
      o.specimen_type = row[15].as<std::string>();
      o.specimen_source = row[16].as<std::string>();
      o.comment = row[17].as<std::string>();
      o.specimen_type_text = row[18].as<std::string>();
      o.specimen_type_system = row[19].as<std::string>();
    }
    out.back().tests.push_back({row[11].as<long long>(), row[12].as<std::string>(),
                                row[13].as<std::string>(), row[14].as<bool>()});
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
        const auto key = resend_key(r.protocol, r.raw);
        OrderChanges changes;
        // Only a message with a control ID (MSH-10, ASTM H-3) can be a resend: an ASTM LIS that
        // sends no H-3 may send the same bytes again as a new order after a cancellation.
        if (const auto first = r.control_id.empty() ? pqxx::result()
                                                    : tx.exec_params(kRepeatsLatest, r.source,
                                                                     pqxx::binarystring(key));
            !first.empty()) {
          changes.duplicate_of = first[0][0].as<std::string>();
          if (first[0][1].as<std::string>() == "rejected")
            changes.refusal = first[0][2].as<std::string>();
        }
        const char* status = changes.duplicate_of ? "duplicate"
                             : r.refusal          ? "rejected"
                                                  : "accepted";
        tx.exec_params(kMessage, r.id.to_string(), r.source, model::to_string(r.protocol),
                       r.peer_address, epoch_seconds(r.received_at), pqxx::binarystring(r.raw),
                       r.control_id, status,
                       r.refusal && !changes.duplicate_of ? std::optional<std::string>(*r.refusal)
                                                          : std::nullopt,
                       offset_of(r), pqxx::binarystring(key), changes.duplicate_of);
        if (!r.refusal && !changes.duplicate_of) {
          Result<void, Error> applied;
          {
            pqxx::subtransaction orders(tx, "orders");
            applied = apply(orders, r, changes);
            if (applied) {
              orders.commit();
            }
          }
          if (!applied) {
            changes = OrderChanges{};
            changes.refusal = applied.error().detail;
            tx.exec_params(kReject, r.id.to_string(), applied.error().detail);
          }
        }
        tx.commit();
        return changes;
      });
}

constexpr const char* kOpenUnmapped =
    "SELECT t.id, t.order_id, t.lis_code, t.lis_text, t.lis_coding_system, o.specimen_id"
    " FROM order_tests t JOIN orders o ON o.id = t.order_id"
    " WHERE o.source = $1 AND NOT t.is_mapped AND t.status = 'ordered'"
    " ORDER BY t.id FOR UPDATE OF t";

constexpr const char* kLockTestsOfUnmapped =
    "SELECT id FROM order_tests WHERE order_id IN (SELECT t.order_id FROM order_tests t"
    "   JOIN orders o ON o.id = t.order_id"
    "   WHERE o.source = $1 AND NOT t.is_mapped AND t.status = 'ordered')"
    " ORDER BY id FOR NO KEY UPDATE";

constexpr const char* kCloseUnmapped =
    "UPDATE order_tests SET status = 'cancelled', status_reason = $2, status_at = now()"
    " WHERE id = $1";

Result<std::vector<std::string>, StoreError> remap_unmapped_tests(
    const std::string& dsn, const std::string& source,
    const std::function<std::vector<std::string>(std::string_view)>& canonical_of) {
  return on_thread_connection(
      dsn, fmt::format("mapping the open tests of {} the table did not know", source),
      [&](pqxx::connection& c) -> Result<std::vector<std::string>, StoreError> {
        pqxx::work tx(c);
        tx.exec("SELECT set_config('hemalink.actor', 'system:mapping-table', true)");
        tx.exec_params(kLockTestsOfUnmapped, source);  // the orders' mapped tests too
        std::vector<std::string> specimens;
        for (const auto& row : tx.exec_params(kOpenUnmapped, source)) {
          const auto lis_code = row[2].as<std::string>();
          const auto canonical = canonical_of(lis_code);
          if (canonical.empty())
            continue;
          std::vector<OrderedCode> tests;
          std::string became;
          for (const auto& code : canonical) {
            if (std::any_of(tests.begin(), tests.end(),
                            [&](const OrderedCode& t) { return t.code == code; }))
              continue;  // a panel that lists a test twice orders it once
            tests.push_back(
                {code, lis_code, true, row[3].as<std::string>(), row[4].as<std::string>()});
            became += (became.empty() ? "" : ", ") + code;
          }
          add_tests(tx, row[1].as<long long>(), tests);
          tx.exec_params(
              kCloseUnmapped, row[0].as<long long>(),
              fmt::format("the mapping table now knows '{}': ordered as {}", lis_code, became));
          specimens.push_back(row[5].as<std::string>());
        }
        tx.commit();
        return specimens;
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
        tx.exec_params(kLockTestsOfSpecimen, steps.specimen_id);
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
        std::vector<long long> ids;
        for (const auto& m : marks) {
          ids.insert(ids.end(), m.ids.begin(), m.ids.end());
        }
        tx.exec_params(kLockTests, bigint_array(ids));
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

}  // namespace hemalink::orders
