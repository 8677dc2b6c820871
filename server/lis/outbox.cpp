#include "server/lis/outbox.hpp"

#include <fmt/format.h>
#include "server/store/epoch_seconds.hpp"

#include <cmath>
#include <map>
#include <pqxx/pqxx>
#include <set>

#include "server/lis/outbox_marks.hpp"
#include "server/store/pg_error.hpp"
#include "server/store/sql_arrays.hpp"

namespace hemalink::lis {

using store::bigint_array;
using store::epoch_seconds;
using store::error_from_current_exception;
using store::from_epoch_seconds;
using store::json_integers;
using store::json_strings;
using store::StoreError;

namespace {

// The claim, in one statement: rows due now, oldest first (by the partial index outbox_pending:
// never a walk over the rows sent), that nobody row-locks, that this node does not hold already,
// and that are the earliest pending row of their specimen for this destination (an earlier one
// waiting, backing off or in flight holds them back: one index probe per candidate, whatever the
// plan); of those, the ones whose session advisory lock this connection gets (two int4 keys, so
// no one's bigint keys collide) are marked claimed and returned, with the message each was sent
// with before (kept with a failed attempt, or once delivered in messages: what `resend` sends).
constexpr const char* kClaim =
    "WITH candidates AS MATERIALIZED (SELECT o.id FROM outbox o"
    "   WHERE o.destination = $1 AND o.status = 'pending' AND o.next_attempt_at <= now()"
    "   AND o.id <> ALL ($2::bigint[])"
    "   AND o.id = (SELECT min(e.id) FROM outbox e WHERE e.destination = o.destination"
    "     AND e.specimen_id = o.specimen_id AND e.status = 'pending')"
    "   ORDER BY o.destination, o.id LIMIT $3 FOR UPDATE OF o SKIP LOCKED),"
    " locked AS MATERIALIZED (SELECT c.id FROM candidates c"
    "   WHERE pg_try_advisory_lock((c.id >> 31)::int, (c.id & 2147483647)::int))"
    " UPDATE outbox o SET claimed_by = $4, claimed_at = now() FROM locked WHERE o.id = locked.id"
    " RETURNING o.id, o.specimen_id, o.control_id, coalesce(o.payload, (SELECT m.raw FROM"
    "   messages m WHERE m.outbox_id = o.id AND m.direction = 'out'"
    "   ORDER BY m.received_at DESC LIMIT 1)),"
    " o.attempts, array_to_json(o.corrects)::text";

constexpr const char* kUnlock =
    "SELECT count(*) FROM unnest($1::bigint[]) AS t (id)"
    " WHERE pg_advisory_unlock((t.id >> 31)::int, (t.id & 2147483647)::int)";

// Row by row through the primary keys, whatever the plan: LIMIT and OFFSET keep the planner
// from joining whole tables (a generic plan did, and took 20 ms for 8 rows of a small outbox).
constexpr const char* kContentSpecimens =
    "SELECT o.id, o.destination, extract(epoch FROM o.created_at)::float8, s.specimen_id,"
    " s.sample_type, s.patient_id, s.patient_sex, s.patient_birth_date, a.name,"
    " s.comments::text, extract(epoch FROM s.received_at)::float8, a.driver"
    " FROM unnest($1::bigint[]) AS t (id)"
    " CROSS JOIN LATERAL (SELECT * FROM outbox WHERE id = t.id LIMIT 1) o"
    " CROSS JOIN LATERAL (SELECT * FROM specimens WHERE id = o.specimen_row_id LIMIT 1) s"
    " CROSS JOIN LATERAL (SELECT name, driver FROM analyzers WHERE id = s.analyzer_id LIMIT 1) a";

constexpr const char* kContentResults =
    "SELECT r.id, r.code, r.raw_code, r.loinc, r.value, r.numeric_value, r.comparator, r.units,"
    " r.reference_range, r.abnormal_flag, r.status, r.measured_at, r.decimals,"
    " CASE WHEN cardinality(r.comments) = 0 THEN '[]' ELSE array_to_json(r.comments)::text END,"
    " t.id, coalesce(ord.placer_number, ''), coalesce(ord.filler_number, ''),"
    " coalesce(ord.lis_code, '') FROM unnest($1::bigint[]) AS t (id)"
    " CROSS JOIN LATERAL (SELECT result_ids, destination FROM outbox WHERE id = t.id LIMIT 1) o"
    " CROSS JOIN LATERAL (SELECT * FROM results WHERE id = ANY (o.result_ids) OFFSET 0) r"
    " LEFT JOIN LATERAL (SELECT od.placer_number, od.filler_number, ot.lis_code"
    "   FROM orders od JOIN order_tests ot ON ot.order_id = od.id"
    "   WHERE od.specimen_id = r.specimen_id AND od.source = o.destination AND ot.code = r.code"
    "     AND ot.is_mapped"
    "   ORDER BY od.id DESC, ot.id LIMIT 1) ord ON true";

// The tests each row's specimen already went to this destination with, in an earlier row the
// LIS acknowledged: those results are corrections. (Usually none: one probe per row.)
constexpr const char* kTestsSentBefore =
    "SELECT DISTINCT c.id, er.code FROM outbox c"
    " JOIN outbox e ON e.destination = c.destination AND e.specimen_id = c.specimen_id"
    "   AND e.id < c.id AND e.status = 'sent'"
    " JOIN results er ON er.id = ANY (e.result_ids) WHERE c.id = ANY ($1::bigint[])";

constexpr const char* kDeadUnbuilt =
    "UPDATE outbox SET status = 'dead', last_error = $2 WHERE id = $1";

// One statement, so one round trip and its own commit: the row sent, and the message and its
// acknowledgement kept (an empty acknowledgement is not).
// One statement, so one round trip and its own commit: the row sent, and the message and its
// acknowledgement kept (an empty acknowledgement is not).
constexpr const char* kDelivered =
    "WITH sent AS (UPDATE outbox SET status = 'sent', attempts = attempts + 1,"
    "   sent_at = to_timestamp($3), last_attempt_at = to_timestamp($2), last_error = '',"
    "   control_id = $7, protocol = $5, corrects = $10::bigint[]"
    "   WHERE id = $1 AND status = 'pending' RETURNING id)"
    " INSERT INTO messages (id, destination, outbox_id, direction, protocol, peer_address,"
    " received_at, raw, content_hash, control_id, status)"
    " SELECT gen_random_uuid(), $4, sent.id, m.direction, $5, $6, to_timestamp(m.at), m.raw,"
    " sha256(m.raw), $7, 'accepted' FROM sent,"
    " (VALUES ('out', $2::float8, $8::bytea), ('in', $3::float8, $9::bytea))"
    " AS m (direction, at, raw) WHERE length(m.raw) > 0";

// The message is kept with its first failed attempt: every later attempt sends these bytes.
constexpr const char* kFailed =
    "UPDATE outbox SET attempts = attempts + 1, last_attempt_at = now(), last_error = $2,"
    " status = CASE WHEN attempts + 1 >= $3 THEN 'dead' ELSE 'pending' END,"
    " next_attempt_at = now() + make_interval(secs => $4),"
    " control_id = $5, payload = coalesce(payload, $6), protocol = $7, corrects = $8::bigint[]"
    " WHERE id = $1 AND status = 'pending' RETURNING status";

constexpr const char* kNextDue =
    "SELECT coalesce(extract(epoch FROM min(next_attempt_at) - now())::float8, -1) FROM outbox"
    " WHERE destination = $1 AND status = 'pending' AND next_attempt_at > now()";

OutboxResult read_result(const pqxx::row& row) {
  OutboxResult r;
  r.id = row[0].as<long long>();
  r.code = row[1].as<std::string>();
  r.raw_code = row[2].as<std::string>();
  r.loinc = row[3].as<std::string>();
  r.value = row[4].as<std::string>();
  if (!row[5].is_null()) {
    r.numeric_value = row[5].as<double>();
  }
  r.comparator = row[6].as<std::string>();
  r.units = row[7].as<std::string>();
  r.reference_range = row[8].as<std::string>();
  r.abnormal_flag = row[9].as<std::string>();
  r.status = row[10].as<std::string>();
  r.measured_at = row[11].as<std::string>();
  if (!row[12].is_null()) {
    r.decimals = row[12].as<int>();
  }
  r.comments = json_strings(row[13].as<std::string>());
  return r;
}

// The content of every row in `ids`, by row: two queries for all of them.
std::map<long long, OutboxContent> read_contents(pqxx::transaction_base& tx,
                                                 const std::vector<long long>& ids) {
  std::map<long long, OutboxContent> out;
  const auto list = bigint_array(ids);
  for (const auto& s : tx.exec_prepared("content_specimens", list)) {
    auto& c = out[s[0].as<long long>()];
    c.outbox_id = s[0].as<long long>();
    c.destination = s[1].as<std::string>();
    c.created_at = from_epoch_seconds(s[2].as<double>());
    c.specimen.specimen_id = s[3].as<std::string>();
    c.specimen.sample_type = s[4].as<std::string>();
    c.specimen.patient_id = s[5].as<std::string>();
    c.specimen.patient_sex = s[6].as<std::string>();
    c.specimen.patient_birth_date = s[7].as<std::string>();
    c.specimen.analyzer = s[8].as<std::string>();
    c.specimen.comments = json_strings(s[9].as<std::string>());
    c.specimen.received_at = from_epoch_seconds(s[10].as<double>());
    c.specimen.driver = s[11].as<std::string>();
  }
  for (const auto& row : tx.exec_prepared("content_results", list)) {
    auto& r = out[row[14].as<long long>()].results.emplace_back(read_result(row));
    r.placer_number = row[15].as<std::string>();
    r.filler_number = row[16].as<std::string>();
    r.ordered_code = row[17].as<std::string>();
  }
  std::set<std::pair<long long, std::string>> sent_before;
  for (const auto& row : tx.exec_prepared("tests_sent_before", list)) {
    sent_before.emplace(row[0].as<long long>(), row[1].as<std::string>());
  }
  for (auto& [id, content] : out) {
    std::sort(content.results.begin(), content.results.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    for (auto& r : content.results) {
      r.is_correction = sent_before.count({id, r.code}) > 0;
    }
  }
  return out;
}

// libpqxx 6.4 marks inhibit_reactivation deprecated; it must stay off here, because a silently
// reconnected session would have lost the advisory locks that hold this node's rows.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
void keep_session(pqxx::connection& connection) {
  connection.inhibit_reactivation(true);
}
#pragma GCC diagnostic pop

}  // namespace

struct OutboxSender::Session {
  explicit Session(const std::string& dsn) : connection(dsn) {
    keep_session(connection);
    // A kill -9 of this node loses nothing: the commit is in PostgreSQL's hands. A crash of
    // PostgreSQL itself may forget the last marks of a moment, and those rows go again with
    // their control IDs (a duplicate the LIS can see), never lost.
    pqxx::nontransaction(connection).exec("SET synchronous_commit = off");
    // A database that stops answering ends a call with an error instead of holding the LIS link.
    pqxx::nontransaction(connection).exec("SET statement_timeout = 30000");
    // Planned once (planning the contents queries afresh cost more than running them), and
    // never by a walk over a whole table: a plan made while the tables were small would keep
    // walking them as they grow. Every statement here goes by an index.
    pqxx::nontransaction(connection)
        .exec("SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off");
    connection.prepare("claim", kClaim);
    connection.prepare("unlock", kUnlock);
    connection.prepare("content_specimens", kContentSpecimens);
    connection.prepare("content_results", kContentResults);
    connection.prepare("tests_sent_before", kTestsSentBefore);
    connection.prepare("dead_unbuilt", kDeadUnbuilt);
    connection.prepare("failed", kFailed);
    connection.prepare("next_due", kNextDue);
  }
  pqxx::connection connection;
};

OutboxSender::OutboxSender(std::string dsn, std::string destination, std::string protocol,
                           std::string node)
    : dsn_(std::move(dsn)),
      destination_(std::move(destination)),
      protocol_(std::move(protocol)),
      node_(std::move(node)),
      delivered_marks_(std::make_unique<DeliveredMarks>(dsn_, kDelivered, 10)) {}

OutboxSender::~OutboxSender() = default;

// Builds the message of each row in `ids` (never sent yet) from its content, in memory: it is
// kept with its first attempt's outcome. A row that cannot be built is dead and leaves `rows`.
void OutboxSender::build_claimed(pqxx::transaction_base& tx, const std::vector<long long>& ids,
                                 const BuildMessage& build, std::vector<ClaimedRow>& rows) {
  auto contents = read_contents(tx, ids);
  std::vector<long long> dead;
  for (auto& row : rows) {
    auto it = contents.find(row.id);
    if (!row.payload.empty() || it == contents.end()) {
      continue;
    }
    auto built = build(it->second);
    if (!built) {
      tx.exec_prepared("dead_unbuilt", row.id,
                       fmt::format("the message cannot be built: {}", built.error().detail));
      dead.push_back(row.id);
      continue;
    }
    for (const auto& r : it->second.results) {
      if (r.is_correction) {
        row.corrects.push_back(r.id);
      }
    }
    row.control_id = built->control_id;
    row.payload = std::move(built->payload);
  }
  for (long long id : dead) {
    finish(id);
    std::erase_if(rows, [id](const ClaimedRow& r) { return r.id == id; });
  }
}

OutboxSender::Session& OutboxSender::claims() {
  if (!claims_) {
    held_.clear();
    claims_ = std::make_unique<Session>(dsn_);
  }
  return *claims_;
}

OutboxSender::Session& OutboxSender::marks() {
  if (!marks_) {
    marks_ = std::make_unique<Session>(dsn_);
  }
  return *marks_;
}

void OutboxSender::finish(long long id) {
  std::lock_guard lock(finished_mutex_);
  finished_.push_back(id);
}

void OutboxSender::disconnect() {
  claims_.reset();
  marks_.reset();
  held_.clear();
  pending_mark_.reset();
  delivered_marks_ = std::make_unique<DeliveredMarks>(dsn_, kDelivered, 10);
}

Result<std::vector<ClaimedRow>, StoreError> OutboxSender::claim(std::size_t limit,
                                                                const BuildMessage& build) {
  try {
    auto& s = claims();
    std::vector<long long> finished;
    {
      std::lock_guard lock(finished_mutex_);
      finished.swap(finished_);
    }
    if (!finished.empty()) {
      pqxx::nontransaction(s.connection).exec_prepared("unlock", bigint_array(finished));
      for (long long id : finished) {
        std::erase(held_, id);
      }
    }
    // Statements on their own (autocommit): a row is held by its advisory lock, not by a
    // transaction, and its content does not change.
    pqxx::nontransaction tx(s.connection);
    std::vector<ClaimedRow> rows;
    std::vector<long long> unbuilt;
    for (const auto& row : tx.exec_prepared("claim", destination_, bigint_array(held_),
                                            static_cast<long long>(limit), node_)) {
      ClaimedRow c;
      c.id = row[0].as<long long>();
      c.specimen_id = row[1].as<std::string>();
      c.control_id = row[2].as<std::string>();
      c.attempts = row[4].as<int>();
      if (row[3].is_null()) {
        unbuilt.push_back(c.id);
      } else {
        c.payload = pqxx::binarystring(row[3]).str();
        c.corrects = json_integers(row[5].as<std::string>());
      }
      held_.push_back(c.id);
      rows.push_back(std::move(c));
    }
    if (!unbuilt.empty()) {
      build_claimed(tx, unbuilt, build, rows);
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return rows;
  } catch (...) {
    auto error = error_from_current_exception(
        fmt::format("claiming outbox rows for LIS destination {}", destination_));
    disconnect();
    return error;
  }
}

Result<void, StoreError> OutboxSender::delivered(const ClaimedRow& row, const Delivery& d) {
  if (auto handed = hand_delivered(row, d); !handed) {
    return handed;
  }
  return settle_delivered();
}

Result<void, StoreError> OutboxSender::hand_delivered(const ClaimedRow& row, const Delivery& d) {
  if (auto settled = settle_delivered(); !settled) {
    return settled;
  }
  const std::string values[] = {std::to_string(row.id),
                                fmt::format("{:.6f}", epoch_seconds(d.sent_at)),
                                fmt::format("{:.6f}", epoch_seconds(d.acknowledged_at)),
                                destination_,
                                protocol_,
                                d.peer,
                                row.control_id,
                                d.sent,
                                d.acknowledgement,
                                bigint_array(row.corrects)};
  static constexpr bool kIsBinary[] = {false, false, false, false, false,
                                       false, false, true,  true,  false};
  auto handed =
      delivered_marks_->hand(values, kIsBinary,
                             fmt::format("marking outbox row {} ({}) sent to LIS destination {}",
                                         row.id, row.control_id, destination_));
  if (!handed) {
    finish(row.id);  // let go: it goes again, by this node or another
    return handed;
  }
  pending_mark_ = row.id;
  return {};
}

Result<void, StoreError> OutboxSender::settle_delivered() {
  if (!pending_mark_) {
    return {};
  }
  auto settled = delivered_marks_->settle();
  finish(*pending_mark_);  // marked or not, this node lets go of it now
  pending_mark_.reset();
  return settled;
}

Result<bool, StoreError> OutboxSender::failed(const ClaimedRow& row, const FailedAttempt& why) {
  try {
    auto& s = marks();
    pqxx::nontransaction tx(s.connection);
    const auto result =
        tx.exec_prepared("failed", row.id, why.reason, why.max_attempts,
                         std::chrono::duration<double>(why.retry_after).count(), row.control_id,
                         pqxx::binarystring(row.payload), protocol_, bigint_array(row.corrects));
    finish(row.id);
    return !result.empty() && result[0][0].as<std::string>() == "dead";
  } catch (...) {
    auto error = error_from_current_exception(fmt::format(
        "counting a failed attempt of outbox row {} to LIS destination {}", row.id, destination_));
    marks_.reset();
    return error;
  }
}

void OutboxSender::release(const std::vector<ClaimedRow>& rows) {
  if (!claims_ || rows.empty()) {
    return;
  }
  std::vector<long long> ids;
  for (const auto& r : rows) {
    ids.push_back(r.id);
  }
  try {
    pqxx::nontransaction(claims_->connection).exec_prepared("unlock", bigint_array(ids));
    for (long long id : ids) {
      std::erase(held_, id);
    }
  } catch (...) {
    disconnect();  // the locks end with the connection
  }
}

std::chrono::milliseconds OutboxSender::until_next_due(std::chrono::milliseconds limit) {
  try {
    pqxx::nontransaction tx(marks().connection);
    const double seconds = tx.exec_prepared1("next_due", destination_)[0].as<double>();
    if (seconds < 0) {
      return limit;
    }
    const auto wait = std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000)));
    return std::min(wait, limit);
  } catch (...) {
    marks_.reset();
    return limit;
  }
}

}  // namespace hemalink::lis
