#include "server/store/batch_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <set>
#include <string_view>
#include <utility>

#include "server/store/batch_rows.hpp"
#include "server/store/copy_text.hpp"
#include "server/store/outbox_order.hpp"
#include "server/store/pg_error.hpp"
#include "server/store/resend_key.hpp"

namespace hemalink::store {
namespace {

// The batch's messages land here first (one COPY), then move to messages with
// ON CONFLICT DO NOTHING: a message stored before is skipped, not an error that aborts the batch.
constexpr const char* kCreateStaging =
    "CREATE TEMP TABLE incoming_messages ("
    " id uuid, analyzer_id bigint, direction text, protocol text, peer_address text,"
    " received_at timestamptz, raw bytea, control_id text, status text, reject_reason text,"
    " error_offset bigint, duplicate_of uuid, resend_key bytea) ON COMMIT DELETE ROWS";

// An accepted message the same analyzer already sent (and we accepted), byte for byte but for an
// HL7 send time, is a retransmission: kept raw as a duplicate, its results not stored again.
constexpr const char* kMoveStaged =
    "INSERT INTO messages (id, analyzer_id, direction, protocol, peer_address, received_at, raw,"
    " content_hash, control_id, status, reject_reason, error_offset, duplicate_of, resend_key)"
    " SELECT i.id, i.analyzer_id, i.direction, i.protocol, i.peer_address, i.received_at, i.raw,"
    " sha256(i.raw), i.control_id,"
    " CASE WHEN earlier.id IS NULL THEN i.status ELSE 'duplicate' END,"
    " i.reject_reason, i.error_offset, coalesce(i.duplicate_of, earlier.id), i.resend_key"
    " FROM incoming_messages i"
    " LEFT JOIN LATERAL (SELECT m.id FROM messages m"
    "   WHERE i.status = 'accepted' AND i.direction = 'in' AND m.analyzer_id = i.analyzer_id"
    "   AND m.resend_key = i.resend_key AND m.status = 'accepted' AND m.id <> i.id"
    "   ORDER BY m.received_at LIMIT 1) earlier ON true"
    " ON CONFLICT (id) DO NOTHING"
    " RETURNING id::text, status, coalesce(duplicate_of::text, '')";

constexpr const char* kFindSequences =
    "SELECT pg_get_serial_sequence('specimens', 'id'), pg_get_serial_sequence('results', 'id')";

// Draws the batch's specimen and result IDs in one round trip ({1,2,3} arrays).
std::string allocate_ids_query(const pqxx::row& sequences) {
  return fmt::format(
      "SELECT (SELECT coalesce(array_agg(nextval('{}'::regclass)), '{{}}') FROM "
      "generate_series(1, $1)), (SELECT coalesce(array_agg(nextval('{}'::regclass)), '{{}}') "
      "FROM generate_series(1, $2))",
      sequences[0].as<std::string>(), sequences[1].as<std::string>());
}

constexpr const char* kUpsertAnalyzer =
    "INSERT INTO analyzers (name, driver) VALUES ($1, $2)"
    " ON CONFLICT (name) DO UPDATE SET driver = EXCLUDED.driver RETURNING id";

// Touches the analyzer row only when something changed or a minute has passed, so concurrent
// batches of one analyzer rarely wait on its row lock.
constexpr const char* kTouchAnalyzer =
    "UPDATE analyzers SET last_seen_at = greatest(last_seen_at, $2::timestamptz),"
    " model = CASE WHEN $3 = '' THEN model ELSE $3 END,"
    " serial = CASE WHEN $4 = '' THEN serial ELSE $4 END,"
    " software_version = CASE WHEN $5 = '' THEN software_version ELSE $5 END"
    " WHERE id = $1 AND (last_seen_at IS NULL"
    "  OR last_seen_at < $2::timestamptz - interval '1 minute'"
    "  OR ($3 <> '' AND model <> $3) OR ($4 <> '' AND serial <> $4)"
    "  OR ($5 <> '' AND software_version <> $5))";

std::vector<long long> parse_bigint_array(std::string_view text) {
  std::vector<long long> values;
  long long current = 0;
  bool in_number = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      current = current * 10 + (c - '0');
      in_number = true;
    } else if (in_number) {
      values.push_back(current);
      current = 0;
      in_number = false;
    }
  }
  return values;
}

// libpqxx 6.4 marks tablewriter and inhibit_reactivation deprecated; tablewriter is still the
// one way to send COPY text we built ourselves, and reactivation must stay off because a
// silently reconnected session would lack its staging table.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
void copy_rows(pqxx::work& tx, const std::string& table, const std::vector<std::string>& columns,
               std::string& text) {
  if (text.empty()) {
    return;
  }
  text.pop_back();  // write_raw_line ends the data with its own newline
  pqxx::tablewriter writer(tx, table, columns.begin(), columns.end());
  writer.write_raw_line(text);
  writer.complete();
}

void keep_session(pqxx::connection& connection) {
  connection.inhibit_reactivation(true);
}
#pragma GCC diagnostic pop

struct Plan {
  std::string id;  // the message ID as text, as PostgreSQL returns it
  long long analyzer_id = 0;
  bool is_repeat = false;  // its ID came earlier in this batch
  std::optional<model::MessageId> duplicate_of;
};

struct StoredRow {
  std::string status;
  std::string duplicate_of;
};

Completion completion_for(const Plan& plan, const std::map<std::string, StoredRow>& stored) {
  if (plan.is_repeat) {
    return {StoreOutcome::AlreadyStored, "the same message ID came twice in one batch"};
  }
  auto it = stored.find(plan.id);
  if (it == stored.end()) {
    return {StoreOutcome::AlreadyStored, "a message with this ID was stored before"};
  }
  if (it->second.status == "duplicate") {
    return {StoreOutcome::Duplicate,
            fmt::format("repeats message {} of the same analyzer", it->second.duplicate_of)};
  }
  return {StoreOutcome::Stored, ""};
}

}  // namespace

struct BatchWriter::Session {
  explicit Session(const std::string& dsn) : connection(dsn) {}
  pqxx::connection connection;
};

BatchWriter::BatchWriter(std::string dsn, LisRoutes routes)
    : dsn_(std::move(dsn)), routes_(std::move(routes)) {}
BatchWriter::~BatchWriter() = default;

bool BatchWriter::is_connected() const {
  return session_ != nullptr && session_->connection.is_open();
}

void BatchWriter::disconnect() {
  session_.reset();
  analyzer_ids_.clear();
  analyzers_seen_.clear();
}

Result<void, StoreError> BatchWriter::connect() {
  if (is_connected()) {
    return {};
  }
  try {
    auto session = std::make_unique<Session>(dsn_);
    keep_session(session->connection);
    pqxx::nontransaction n(session->connection);
    n.exec(kCreateStaging);
    // Not the move: planned once on a young, empty messages table, its duplicate lookup would
    // stay a sequential scan for the life of the connection.
    session->connection.prepare("allocate_ids", allocate_ids_query(n.exec1(kFindSequences)));
    session->connection.prepare("touch_analyzer", kTouchAnalyzer);
    session_ = std::move(session);
    return {};
  } catch (...) {
    session_.reset();
    return error_from_current_exception("connecting the store to the database");
  }
}

// The analyzer row was touched less than a minute ago with what this batch reports: skip the
// UPDATE (a round trip, and a row lock concurrent batches would wait on).
bool BatchWriter::is_fresh(long long id, const AnalyzerSeen& now) const {
  auto it = analyzers_seen_.find(id);
  if (it == analyzers_seen_.end() || now.at - it->second.at > std::chrono::minutes(1)) {
    return false;
  }
  const auto same = [](const std::string& reported, const std::string& known) {
    return reported.empty() || reported == known;
  };
  const auto& known = it->second.reported;
  return same(now.reported.model, known.model) && same(now.reported.serial, known.serial) &&
         same(now.reported.software_version, known.software_version);
}

long long BatchWriter::analyzer_id(const Receipt& receipt) {
  auto it = analyzer_ids_.find(receipt.analyzer);
  if (it != analyzer_ids_.end()) {
    return it->second;
  }
  pqxx::work tx(session_->connection, "analyzer");
  const auto row = tx.exec_params1(kUpsertAnalyzer, receipt.analyzer, receipt.driver);
  tx.commit();
  const auto id = row[0].as<long long>();
  analyzer_ids_.emplace(receipt.analyzer, id);
  return id;
}

Result<std::vector<Completion>, StoreError> BatchWriter::write(
    std::span<const StoreRequest* const> batch) {
  if (auto connected = connect(); !connected) {
    return connected.error();
  }
  try {
    return write_connected(batch);
  } catch (...) {
    auto error =
        error_from_current_exception(fmt::format("storing a batch of {} messages", batch.size()));
    if (error.code != StoreErrc::Fatal && error.code != StoreErrc::Conflict) {
      disconnect();
    }
    return error;
  }
}

Result<std::vector<bool>, StoreError> BatchWriter::stored(
    std::span<const StoreRequest* const> batch) {
  if (auto connected = connect(); !connected) {
    return connected.error();
  }
  std::string ids = "{";
  for (const auto* request : batch) {
    ids.append(ids.size() > 1 ? "," : "").append(request->receipt.id.to_string());
  }
  ids.append("}");
  try {
    pqxx::read_transaction tx(session_->connection, "stored");
    std::set<std::string> present;
    for (const auto& row :
         tx.exec_params("SELECT id::text FROM messages WHERE id = ANY($1::uuid[])", ids)) {
      present.insert(row[0].as<std::string>());
    }
    tx.commit();
    std::vector<bool> found;
    for (const auto* request : batch) {
      found.push_back(present.contains(request->receipt.id.to_string()));
    }
    return found;
  } catch (...) {
    disconnect();
    auto error = error_from_current_exception("asking which messages are stored");
    error.code = make_error_code(StoreErrc::Retryable);
    return error;
  }
}

Result<std::vector<Completion>, StoreError> BatchWriter::write_connected(
    std::span<const StoreRequest* const> batch) {
  std::vector<Plan> plans(batch.size());
  std::map<model::MessageId, std::size_t> ids;
  std::map<std::pair<long long, std::string>, model::MessageId> contents;
  std::string incoming;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& request = *batch[i];
    auto& plan = plans[i];
    plan.id = request.receipt.id.to_string();
    plan.analyzer_id = analyzer_id(request.receipt);
    plan.is_repeat = !ids.emplace(request.receipt.id, i).second;
    if (plan.is_repeat) {
      continue;
    }
    const auto key = resend_key(request.receipt.protocol, request.receipt.raw);
    if (request.content->status == MessageStatus::Accepted &&
        request.receipt.direction == Direction::In) {
      auto [it, is_new] = contents.try_emplace({plan.analyzer_id, key}, request.receipt.id);
      if (!is_new) {
        plan.duplicate_of = it->second;
      }
    }
    append_incoming_message(incoming, request, plan.analyzer_id, plan.duplicate_of, key);
  }

  pqxx::work tx(session_->connection, "store_batch");
  copy_rows(tx, "incoming_messages", kIncomingColumns, incoming);
  std::map<std::string, StoredRow> stored;
  for (const auto& row : tx.exec(kMoveStaged)) {
    stored[row[0].as<std::string>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
  }

  std::vector<bool> has_results(batch.size(), false);
  long long specimen_count = 0;
  long long result_count = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& request = *batch[i];
    auto it = stored.find(plans[i].id);
    // Results of an incomplete message are stored too (held by the reader): visible for
    // review rather than only inside the raw bytes.
    if (plans[i].is_repeat || it == stored.end() ||
        (it->second.status != "accepted" && it->second.status != "incomplete")) {
      continue;
    }
    has_results[i] = true;
    specimen_count += static_cast<long long>(request.content->result_sets.size());
    result_count += static_cast<long long>(count_observations(*request.content));
  }

  if (std::find(has_results.begin(), has_results.end(), true) != has_results.end()) {
    IdPool pool;
    const auto ids_row = tx.exec_prepared1("allocate_ids", specimen_count, result_count);
    pool.specimens = parse_bigint_array(ids_row[0].c_str());
    pool.results = parse_bigint_array(ids_row[1].c_str());
    BatchRows rows;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (has_results[i]) {
        append_result_rows(rows, *batch[i], plans[i].analyzer_id, pool, routes_);
      }
    }
    copy_rows(tx, "specimens", kSpecimenColumns, rows.specimens);
    copy_rows(tx, "results", kResultColumns, rows.results);
    copy_rows(tx, "decisions", kDecisionColumns, rows.decisions);
    lock_specimens_for_outbox(tx, rows.outbox_specimens);
    copy_rows(tx, "outbox", kOutboxColumns, rows.outbox);
  }

  std::map<long long, const StoreRequest*> latest;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    latest[plans[i].analyzer_id] = batch[i];
  }
  std::vector<std::pair<long long, AnalyzerSeen>> touched;
  for (const auto& [id, request] : latest) {
    const auto& sets = request->content->result_sets;
    AnalyzerSeen seen{std::chrono::steady_clock::now(),
                      sets.empty() ? model::Analyzer{} : sets.front().analyzer};
    if (is_fresh(id, seen)) {
      continue;
    }
    tx.exec_prepared("touch_analyzer", id, timestamp_literal(request->receipt.received_at),
                     storable(seen.reported.model), storable(seen.reported.serial),
                     storable(seen.reported.software_version));
    touched.emplace_back(id, std::move(seen));
  }
  tx.commit();
  for (auto& [id, seen] : touched) {
    analyzers_seen_[id] = std::move(seen);
  }

  std::vector<Completion> done;
  done.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    done.push_back(completion_for(plans[i], stored));
  }
  return done;
}

}  // namespace hemalink::store
