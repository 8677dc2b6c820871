#include "server/store/outbox.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/store/pg_error.hpp"

namespace hemalink::store {
namespace {

// Rows due now, oldest first, that nobody row-locks, that this node does not hold already, and
// with no earlier row of their specimen pending for this destination (waiting or in flight).
constexpr const char* kCandidates =
    "SELECT o.id FROM outbox o"
    " WHERE o.destination = $1 AND o.status = 'pending' AND o.next_attempt_at <= now()"
    " AND o.id <> ALL ($2::bigint[])"
    " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.destination = o.destination"
    "   AND e.specimen_id = o.specimen_id AND e.status = 'pending' AND e.id < o.id)"
    " ORDER BY o.id LIMIT $3 FOR UPDATE OF o SKIP LOCKED";

// A session advisory lock per row (two int4 keys, so no bigint key of anyone else's collides)
// marks it in flight until this node lets go of it or its connection ends.
constexpr const char* kLock =
    "SELECT t.id FROM unnest($1::bigint[]) AS t (id)"
    " WHERE pg_try_advisory_lock((t.id >> 31)::int, (t.id & 2147483647)::int) ORDER BY t.id";
constexpr const char* kUnlock =
    "SELECT count(*) FROM unnest($1::bigint[]) AS t (id)"
    " WHERE pg_advisory_unlock((t.id >> 31)::int, (t.id & 2147483647)::int)";

constexpr const char* kClaimed =
    "UPDATE outbox SET claimed_by = $2, claimed_at = now() WHERE id = ANY ($1::bigint[])"
    " AND status = 'pending'"
    " RETURNING id, specimen_id, control_id, payload IS NOT NULL, coalesce(payload, ''::bytea),"
    " attempts";

constexpr const char* kContentSpecimen =
    "SELECT o.destination, extract(epoch FROM o.created_at)::float8, s.specimen_id,"
    " s.sample_type, s.patient_id, s.patient_sex, s.patient_birth_date, a.name,"
    " s.comments::text, extract(epoch FROM s.received_at)::float8, a.driver"
    " FROM outbox o JOIN specimens s ON s.id = o.specimen_row_id"
    " JOIN analyzers a ON a.id = s.analyzer_id WHERE o.id = $1";

// A result is a correction when an earlier row of the same specimen that this destination
// acknowledged carried the same test.
constexpr const char* kContentResults =
    "SELECT r.id, r.code, r.raw_code, r.loinc, r.value, r.numeric_value, r.comparator, r.units,"
    " r.reference_range, r.abnormal_flag, r.status, r.measured_at, r.decimals,"
    " array_to_json(r.comments)::text,"
    " EXISTS (SELECT 1 FROM outbox e JOIN results er ON er.id = ANY (e.result_ids)"
    "   WHERE e.destination = o.destination AND e.specimen_id = o.specimen_id AND e.id < o.id"
    "   AND e.status = 'sent' AND er.code = r.code)"
    " FROM outbox o JOIN results r ON r.id = ANY (o.result_ids) WHERE o.id = $1 ORDER BY r.id";

constexpr const char* kKeepBuilt =
    "UPDATE outbox SET protocol = $2, control_id = $3, payload = $4, corrects = $5::bigint[]"
    " WHERE id = $1";

constexpr const char* kDeadUnbuilt =
    "UPDATE outbox SET status = 'dead', last_error = $2 WHERE id = $1";

constexpr const char* kDelivered =
    "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = to_timestamp($3),"
    " last_attempt_at = to_timestamp($2), last_error = '' WHERE id = $1 AND status = 'pending'";

constexpr const char* kKeepMessage =
    "INSERT INTO messages (id, destination, outbox_id, direction, protocol, peer_address,"
    " received_at, raw, content_hash, control_id, status)"
    " VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, to_timestamp($6), $7, sha256($7), $8,"
    " 'accepted')";

constexpr const char* kFailed =
    "UPDATE outbox SET attempts = attempts + 1, last_attempt_at = now(), last_error = $2,"
    " status = CASE WHEN attempts + 1 >= $3 THEN 'dead' ELSE 'pending' END,"
    " next_attempt_at = now() + make_interval(secs => $4)"
    " WHERE id = $1 AND status = 'pending' RETURNING status";

constexpr const char* kNextDue =
    "SELECT coalesce(extract(epoch FROM min(next_attempt_at) - now())::float8, -1) FROM outbox"
    " WHERE destination = $1 AND status = 'pending' AND next_attempt_at > now()";

double epoch_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_epoch_seconds(double s) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(s)));
}

std::string array_literal(const std::vector<long long>& ids) {
  return fmt::format("{{{}}}", fmt::join(ids, ","));
}

std::vector<std::string> json_texts(const std::string& text) {
  std::vector<std::string> out;
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_array()) {
    for (const auto& item : parsed) {
      if (item.is_string()) {
        out.push_back(item.get<std::string>());
      }
    }
  }
  return out;
}

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
  r.comments = json_texts(row[13].as<std::string>());
  r.is_correction = row[14].as<bool>();
  return r;
}

OutboxContent read_content(pqxx::work& tx, long long id) {
  OutboxContent c;
  c.outbox_id = id;
  const auto s = tx.exec_prepared1("content_specimen", id);
  c.destination = s[0].as<std::string>();
  c.created_at = from_epoch_seconds(s[1].as<double>());
  c.specimen.specimen_id = s[2].as<std::string>();
  c.specimen.sample_type = s[3].as<std::string>();
  c.specimen.patient_id = s[4].as<std::string>();
  c.specimen.patient_sex = s[5].as<std::string>();
  c.specimen.patient_birth_date = s[6].as<std::string>();
  c.specimen.analyzer = s[7].as<std::string>();
  c.specimen.comments = json_texts(s[8].as<std::string>());
  c.specimen.received_at = from_epoch_seconds(s[9].as<double>());
  c.specimen.driver = s[10].as<std::string>();
  for (const auto& row : tx.exec_prepared("content_results", id)) {
    c.results.push_back(read_result(row));
  }
  return c;
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
    connection.prepare("candidates", kCandidates);
    connection.prepare("lock", kLock);
    connection.prepare("unlock", kUnlock);
    connection.prepare("claimed", kClaimed);
    connection.prepare("content_specimen", kContentSpecimen);
    connection.prepare("content_results", kContentResults);
    connection.prepare("keep_built", kKeepBuilt);
    connection.prepare("dead_unbuilt", kDeadUnbuilt);
    connection.prepare("delivered", kDelivered);
    connection.prepare("keep_message", kKeepMessage);
    connection.prepare("failed", kFailed);
    connection.prepare("next_due", kNextDue);
  }
  pqxx::connection connection;
  std::vector<long long> finished;  // held rows delivered, failed or let go: unlocked next claim
};

OutboxSender::OutboxSender(std::string dsn, std::string destination, std::string protocol,
                           std::string node)
    : dsn_(std::move(dsn)),
      destination_(std::move(destination)),
      protocol_(std::move(protocol)),
      node_(std::move(node)) {}

OutboxSender::~OutboxSender() = default;

OutboxSender::Session& OutboxSender::session() {
  if (!session_) {
    held_.clear();
    session_ = std::make_unique<Session>(dsn_);
  }
  return *session_;
}

void OutboxSender::disconnect() {
  session_.reset();
  held_.clear();
}

Result<std::vector<ClaimedRow>, StoreError> OutboxSender::claim(std::size_t limit,
                                                                const BuildMessage& build) {
  try {
    auto& s = session();
    if (!s.finished.empty()) {
      pqxx::nontransaction(s.connection).exec_prepared("unlock", array_literal(s.finished));
      for (long long id : s.finished) {
        std::erase(held_, id);
      }
      s.finished.clear();
    }
    pqxx::work tx(s.connection);
    std::vector<long long> candidates;
    for (const auto& row : tx.exec_prepared("candidates", destination_, array_literal(held_),
                                            static_cast<long long>(limit))) {
      candidates.push_back(row[0].as<long long>());
    }
    std::vector<long long> locked;
    if (!candidates.empty()) {
      for (const auto& row : tx.exec_prepared("lock", array_literal(candidates))) {
        locked.push_back(row[0].as<long long>());
      }
    }
    held_.insert(held_.end(), locked.begin(), locked.end());
    std::vector<ClaimedRow> rows;
    if (!locked.empty()) {
      for (const auto& row : tx.exec_prepared("claimed", array_literal(locked), node_)) {
        ClaimedRow c;
        c.id = row[0].as<long long>();
        c.specimen_id = row[1].as<std::string>();
        c.control_id = row[2].as<std::string>();
        const bool is_built = row[3].as<bool>();
        c.attempts = row[5].as<int>();
        if (is_built) {
          c.payload = pqxx::binarystring(row[4]).str();
        } else {
          const auto content = read_content(tx, c.id);
          auto built = build(content);
          if (!built) {
            tx.exec_prepared("dead_unbuilt", c.id,
                             fmt::format("the message cannot be built: {}", built.error()));
            s.finished.push_back(c.id);
            continue;
          }
          std::vector<long long> corrects;
          for (const auto& r : content.results) {
            if (r.is_correction) {
              corrects.push_back(r.id);
            }
          }
          c.control_id = built->control_id;
          c.payload = std::move(built->payload);
          tx.exec_prepared("keep_built", c.id, protocol_, c.control_id,
                           pqxx::binarystring(c.payload), array_literal(corrects));
        }
        rows.push_back(std::move(c));
      }
    }
    tx.commit();
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
  try {
    auto& s = session();
    pqxx::work tx(s.connection);
    tx.exec_prepared("delivered", row.id, epoch_seconds(d.sent_at),
                     epoch_seconds(d.acknowledged_at));
    tx.exec_prepared("keep_message", destination_, row.id, "out", protocol_, d.peer,
                     epoch_seconds(d.sent_at), pqxx::binarystring(d.sent), row.control_id);
    if (!d.acknowledgement.empty()) {
      tx.exec_prepared("keep_message", destination_, row.id, "in", protocol_, d.peer,
                       epoch_seconds(d.acknowledged_at), pqxx::binarystring(d.acknowledgement),
                       row.control_id);
    }
    tx.commit();
    s.finished.push_back(row.id);
    return {};
  } catch (...) {
    auto error = error_from_current_exception(
        fmt::format("marking outbox row {} sent to LIS destination {}", row.id, destination_));
    disconnect();
    return error;
  }
}

Result<bool, StoreError> OutboxSender::failed(const ClaimedRow& row, const FailedAttempt& why) {
  try {
    auto& s = session();
    pqxx::work tx(s.connection);
    const auto result = tx.exec_prepared("failed", row.id, why.reason, why.max_attempts,
                                         std::chrono::duration<double>(why.retry_after).count());
    tx.commit();
    s.finished.push_back(row.id);
    return !result.empty() && result[0][0].as<std::string>() == "dead";
  } catch (...) {
    auto error = error_from_current_exception(fmt::format(
        "counting a failed attempt of outbox row {} to LIS destination {}", row.id, destination_));
    disconnect();
    return error;
  }
}

void OutboxSender::release(const std::vector<ClaimedRow>& rows) {
  if (!session_ || rows.empty()) {
    return;
  }
  std::vector<long long> ids;
  for (const auto& r : rows) {
    ids.push_back(r.id);
  }
  try {
    pqxx::nontransaction(session_->connection).exec_prepared("unlock", array_literal(ids));
    for (long long id : ids) {
      std::erase(held_, id);
    }
  } catch (...) {
    disconnect();  // the locks end with the connection
  }
}

std::chrono::milliseconds OutboxSender::until_next_due(std::chrono::milliseconds limit) {
  try {
    pqxx::nontransaction tx(session().connection);
    const double seconds = tx.exec_prepared1("next_due", destination_)[0].as<double>();
    if (seconds < 0) {
      return limit;
    }
    const auto wait = std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000)));
    return std::min(wait, limit);
  } catch (...) {
    disconnect();
    return limit;
  }
}

}  // namespace hemalink::store
