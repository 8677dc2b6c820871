#include "server/store/batch_writer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <set>
#include <string_view>
#include <utility>

#include "server/store/batch_rows.hpp"
#include "server/store/copy_text.hpp"
#include "server/store/json_rows.hpp"
#include "server/store/outbox_order.hpp"
#include "server/store/pg_error.hpp"
#include "server/store/resend_key.hpp"
#include "server/store/sql_arrays.hpp"

namespace hemalink::store {

using records::Direction;
using records::LisRoutes;
using records::MessageStatus;
using records::Receipt;

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

// ", x.a, x.b": the columns as the batch statement selects them from json_populate_recordset.
std::string selected(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) {
    out.append(out.empty() ? "x." : ", x.").append(c);
  }
  return out;
}

std::string listed(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) {
    out.append(out.empty() ? "" : ", ").append(c);
  }
  return out;
}

// Touches the analyzers listed in parameter $N (JSON rows of kTouchColumns): when last seen, and
// what they report of themselves when they report it.
std::string touch_analyzers_statement(int parameter) {
  return fmt::format(
      "UPDATE analyzers a SET last_seen_at = greatest(a.last_seen_at, t.seen_at),"
      " model = CASE WHEN t.model = '' THEN a.model ELSE t.model END,"
      " serial = CASE WHEN t.serial = '' THEN a.serial ELSE t.serial END,"
      " software_version = CASE WHEN t.software_version = '' THEN a.software_version"
      "  ELSE t.software_version END"
      " FROM jsonb_to_recordset(${}::jsonb)"
      "  AS t(id bigint, seen_at timestamptz, model text, serial text, software_version text)"
      " WHERE a.id = t.id",
      parameter);
}

// The whole batch in ONE statement, which commits by itself: one round trip. Each table's rows
// come as one JSON parameter ($1 messages, $2 specimens, $3 results, $4 decisions, $5 outbox,
// $6 analyzers to touch, $7 QC evaluations, $8 patient-based QC averages, $9 the decisions of
// the rule set in shadow). A message stored before
// (its ID) is skipped by ON CONFLICT, and an accepted message the same analyzer already sent (and
// we accepted), byte for byte but for an HL7 send time, is a retransmission: kept raw as a
// duplicate. Only the specimens, results, decisions and outbox rows of messages stored now as
// accepted or incomplete go in
// (`kept`). Before the first outbox row takes its ID, a lock per specimen is taken
// (outbox_order.hpp).
std::string batch_statement() {
  return fmt::format(
      "WITH stored AS ("
      " INSERT INTO messages (id, analyzer_id, direction, protocol, peer_address, received_at,"
      " raw, content_hash, control_id, status, reject_reason, error_offset, duplicate_of,"
      " resend_key)"
      " SELECT i.id, i.analyzer_id, i.direction, i.protocol, i.peer_address, i.received_at,"
      " i.raw, sha256(i.raw), i.control_id,"
      " CASE WHEN earlier.id IS NULL THEN i.status ELSE 'duplicate' END,"
      " i.reject_reason, i.error_offset, coalesce(i.duplicate_of, earlier.id), i.resend_key"
      " FROM jsonb_populate_recordset(NULL::messages, $1::jsonb) i"
      " LEFT JOIN LATERAL (SELECT m.id FROM messages m"
      "   WHERE i.status = 'accepted' AND i.direction = 'in' AND m.analyzer_id = i.analyzer_id"
      "   AND m.resend_key = i.resend_key AND m.status = 'accepted' AND m.id <> i.id"
      "   ORDER BY m.received_at LIMIT 1) earlier ON true"
      " ON CONFLICT (id) DO NOTHING"
      " RETURNING id, status, duplicate_of),"
      " kept AS (SELECT id FROM stored WHERE status IN ('accepted', 'incomplete')),"
      " new_specimens AS (INSERT INTO specimens ({0}) OVERRIDING SYSTEM VALUE SELECT {1}"
      " FROM jsonb_populate_recordset(NULL::specimens, $2::jsonb) x"
      " WHERE x.message_id IN (SELECT id FROM kept) RETURNING id),"
      " new_results AS (INSERT INTO results ({2}) OVERRIDING SYSTEM VALUE SELECT {3}"
      " FROM jsonb_populate_recordset(NULL::results, $3::jsonb) x"
      " WHERE x.message_id IN (SELECT id FROM kept) RETURNING id),"
      " new_decisions AS (INSERT INTO decisions ({4}) SELECT {5}"
      " FROM jsonb_populate_recordset(NULL::decisions, $4::jsonb) x"
      " WHERE x.result_id IN (SELECT id FROM new_results)),"
      " new_shadow AS (INSERT INTO shadow_decisions ({4}) SELECT {5}"
      " FROM jsonb_populate_recordset(NULL::shadow_decisions, $9::jsonb) x"
      " WHERE x.result_id IN (SELECT id FROM new_results)),"
      " new_qc AS (INSERT INTO qc_evaluations ({10}) SELECT {11}"
      " FROM jsonb_populate_recordset(NULL::qc_evaluations, $7::jsonb) x"
      " WHERE x.result_id IN (SELECT id FROM new_results)),"
      " new_averages AS (INSERT INTO qc_patient_averages ({12}) SELECT {13}"
      " FROM jsonb_populate_recordset(NULL::qc_patient_averages, $8::jsonb) x"
      " WHERE x.message_id IN (SELECT id FROM kept)),"
      " locked AS (SELECT count(pg_advisory_xact_lock({8}, t.k)) AS n FROM"
      " (SELECT DISTINCT hashtext(x.specimen_id) AS k"
      "  FROM jsonb_populate_recordset(NULL::outbox, $5::jsonb) x ORDER BY 1) t),"
      " new_outbox AS (INSERT INTO outbox ({6}) SELECT {7}"
      " FROM jsonb_populate_recordset(NULL::outbox, $5::jsonb) x"
      " WHERE x.specimen_row_id IN (SELECT id FROM new_specimens)"
      " AND (SELECT n FROM locked) >= 0),"
      " touched AS ({9})"
      " SELECT id::text, status, coalesce(duplicate_of::text, '') FROM stored",
      listed(kSpecimenColumns), selected(kSpecimenColumns), listed(kResultColumns),
      selected(kResultColumns), listed(kDecisionColumns), selected(kDecisionColumns),
      listed(kOutboxColumns), selected(kOutboxColumns), kSpecimenLockClass,
      touch_analyzers_statement(6), listed(kQcEvaluationColumns), selected(kQcEvaluationColumns),
      listed(kPatientAverageColumns), selected(kPatientAverageColumns));
}

constexpr const char* kFindSequences =
    "SELECT pg_get_serial_sequence('specimens', 'id'), pg_get_serial_sequence('results', 'id')";

// Draws specimen and result IDs in one round trip ({1,2,3} arrays).
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

const std::vector<std::string> kTouchColumns = {"id", "seen_at", "model", "serial",
                                                "software_version"};

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
// one way to send COPY text we built ourselves, and reactivation must stay off: a silently
// reconnected session would lack its staging table, and a batch statement cut off by a broken
// connection has an unknown outcome, which only we can settle.
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

// How many IDs a refill draws beyond what the batch needs: most batches then draw none.
constexpr long long kIdBlock = 512;

// From this many messages a batch goes by COPY.
constexpr std::size_t kCopyFrom = 8;

template <typename Stored>
Completion completion_for(bool is_repeat, const std::string& id, const Stored& stored) {
  if (is_repeat) {
    return {StoreOutcome::AlreadyStored, "the same message ID came twice in one batch"};
  }
  auto it = stored.find(id);
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

BatchWriter::BatchWriter(std::string dsn, LisRoutes routes,
                         std::vector<std::pair<std::string, std::string>> analyzers)
    : dsn_(std::move(dsn)), routes_(std::move(routes)), analyzers_(std::move(analyzers)) {}
BatchWriter::~BatchWriter() = default;

bool BatchWriter::is_connected() const {
  return session_ != nullptr && session_->connection.is_open();
}

void BatchWriter::disconnect() {
  session_.reset();
  analyzer_ids_.clear();
  analyzers_seen_.clear();
  ids_ = {};
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
    session->connection.prepare("allocate_ids", allocate_ids_query(n.exec1(kFindSequences)));
    // Planned once: planning the batch statement afresh cost more than a third of running it.
    // Its duplicate lookup stays an index scan on messages_by_resend_key however young the table
    // was when it was planned (its only access path for that equality); the COPY path's move is
    // planned per batch. enable_seqscan = off here made COPY batches ten times slower.
    n.exec("SET plan_cache_mode = force_generic_plan");
    // The outbox trigger leaves the notification to announce_outbox(), after the commit.
    n.exec("SET hemalink.notify_after_commit = on");
    session->connection.prepare("store_batch", batch_statement());
    // Planned and its caches filled now, storing nothing: not by an analyzer's first message.
    n.exec_prepared("store_batch", "[]", "[]", "[]", "[]", "[]", "[]", "[]", "[]", "[]");
    session_ = std::move(session);
    know_analyzers(n);
    return {};
  } catch (...) {
    session_.reset();
    return error_from_current_exception("connecting the store to the database");
  }
}

// Every configured analyzer's row, made if missing, in one statement (the same order for every
// writer: two connecting at once wait for each other's rows, never deadlock).
void BatchWriter::know_analyzers(pqxx::transaction_base& tx) {
  if (analyzers_.empty()) {
    return;
  }
  std::vector<std::string> names;
  std::vector<std::string> drivers;
  for (const auto& [name, driver] : analyzers_) {
    names.push_back(name);
    drivers.push_back(driver);
  }
  const auto rows = tx.exec_params(
      "INSERT INTO analyzers (name, driver) SELECT * FROM unnest($1::text[], $2::text[])"
      " ON CONFLICT (name) DO UPDATE SET driver = EXCLUDED.driver RETURNING name, id",
      text_array(names), text_array(drivers));
  for (const auto& row : rows) {
    analyzer_ids_[row[0].as<std::string>()] = row[1].as<long long>();
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
    if (error.code != StoreErrc::Fatal && error.code != StoreErrc::Conflict &&
        error.code != StoreErrc::BadValue) {
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

// Tops the pool up to `specimens` and `results` IDs, drawing a block more than needed.
void BatchWriter::draw_ids(pqxx::transaction_base& tx, std::size_t specimens, std::size_t results) {
  const auto short_of = [](std::size_t need, const std::vector<long long>& have, std::size_t next) {
    const auto left = have.size() - next;
    return need > left ? static_cast<long long>(need - left) + kIdBlock : 0;
  };
  const auto more_specimens = short_of(specimens, ids_.specimens, ids_.next_specimen);
  const auto more_results = short_of(results, ids_.results, ids_.next_result);
  if (more_specimens == 0 && more_results == 0) {
    return;
  }
  const auto row = tx.exec_prepared1("allocate_ids", more_specimens, more_results);
  const auto refill = [](std::vector<long long>& pool, std::size_t& next, std::string_view drawn) {
    pool.erase(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(next));
    next = 0;
    const auto more = parse_bigint_array(drawn);
    pool.insert(pool.end(), more.begin(), more.end());
  };
  refill(ids_.specimens, ids_.next_specimen, row[0].c_str());
  refill(ids_.results, ids_.next_result, row[1].c_str());
}

// Each message's ID, analyzer, key and whether it repeats one earlier in the batch.
std::vector<BatchWriter::Plan> BatchWriter::plan(std::span<const StoreRequest* const> batch) {
  std::vector<Plan> plans(batch.size());
  std::map<model::MessageId, std::size_t> ids;
  std::map<std::pair<long long, std::string>, model::MessageId> contents;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& request = *batch[i];
    auto& plan = plans[i];
    plan.id = request.receipt.id.to_string();
    plan.analyzer_id = analyzer_id(request.receipt);
    plan.is_repeat = !ids.emplace(request.receipt.id, i).second;
    if (plan.is_repeat) {
      continue;
    }
    plan.resend_key = resend_key(request.receipt.protocol, request.receipt.raw);
    const auto status = request.content->status;
    if (status == MessageStatus::Accepted && request.receipt.direction == Direction::In) {
      auto [it, is_new] =
          contents.try_emplace({plan.analyzer_id, plan.resend_key}, request.receipt.id);
      if (!is_new) {
        plan.duplicate_of = it->second;
      }
    }
    plan.has_results = !plan.duplicate_of &&
                       (status == MessageStatus::Accepted || status == MessageStatus::Incomplete);
  }
  return plans;
}

std::string BatchWriter::message_rows(std::span<const StoreRequest* const> batch,
                                      const std::vector<Plan>& plans, RowForm form) {
  std::string rows;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!plans[i].is_repeat) {
      append_incoming_message(rows, *batch[i], plans[i].analyzer_id, plans[i].duplicate_of,
                              plans[i].resend_key, form);
    }
  }
  return rows;
}

// The specimens, results, decisions and outbox rows of the messages whose plan has_results,
// their IDs drawn from the pool.
BatchRows BatchWriter::result_rows(pqxx::transaction_base& tx,
                                   std::span<const StoreRequest* const> batch,
                                   const std::vector<Plan>& plans, RowForm form) {
  std::size_t specimens = 0;
  std::size_t results = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (plans[i].has_results) {
      specimens += batch[i]->content->result_sets.size();
      results += count_observations(*batch[i]->content);
    }
  }
  draw_ids(tx, specimens, results);
  BatchRows rows;
  rows.form = form;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (plans[i].has_results) {
      append_result_rows(rows, *batch[i], plans[i].analyzer_id, ids_, routes_);
    }
  }
  return rows;
}

// A small batch is one statement (one round trip, the rows as JSON parameters); a large one goes
// by COPY, whose rows cost PostgreSQL about half what the statement's do, for a dozen round
// trips that a large batch amortises (measured with scripts/dev.sh bench).
Result<std::vector<Completion>, StoreError> BatchWriter::write_connected(
    std::span<const StoreRequest* const> batch) {
  auto plans = plan(batch);
  std::vector<std::pair<long long, AnalyzerSeen>> touched;
  const auto touches = analyzers_to_touch(batch, plans, touched);
  auto stored = batch.size() >= kCopyFrom ? write_by_copy(batch, plans, touches)
                                          : write_in_one_statement(batch, plans, touches);
  if (!stored) {
    return stored.error();
  }
  for (auto& [id, seen] : touched) {
    analyzers_seen_[id] = std::move(seen);
  }
  std::vector<Completion> done;
  done.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    done.push_back(completion_for(plans[i].is_repeat, plans[i].id, *stored));
  }
  return done;
}

Result<BatchWriter::Stored, StoreError> BatchWriter::write_in_one_statement(
    std::span<const StoreRequest* const> batch, const std::vector<Plan>& plans,
    const std::string& touches) {
  pqxx::nontransaction n(session_->connection, "store_batch");
  const auto messages = message_rows(batch, plans, RowForm::Json);
  const auto rows = result_rows(n, batch, plans, RowForm::Json);
  pqxx::result answer;
  try {
    answer = n.exec_prepared("store_batch", json_array(messages), json_array(rows.specimens),
                             json_array(rows.results), json_array(rows.decisions),
                             json_array(rows.outbox), json_array(touches),
                             json_array(rows.qc_evaluations), json_array(rows.patient_averages),
                             json_array(rows.shadow_decisions));
    unannounced_.insert(rows.outbox_destinations.begin(), rows.outbox_destinations.end());
  } catch (const pqxx::broken_connection& e) {
    disconnect();
    return StoreError{make_error_code(StoreErrc::InDoubt),
                      fmt::format("storing a batch of {} messages: the connection broke before "
                                  "the database answered: {}",
                                  batch.size(), e.what())};
  }
  return stored_rows(answer);
}

// One transaction: the messages COPYed to the staging table and moved (which says which are
// stored now), then only those messages' rows COPYed to their tables.
Result<BatchWriter::Stored, StoreError> BatchWriter::write_by_copy(
    std::span<const StoreRequest* const> batch, std::vector<Plan>& plans,
    const std::string& touches) {
  pqxx::work tx(session_->connection, "store_batch_by_copy");
  auto messages = message_rows(batch, plans, RowForm::Copy);
  copy_rows(tx, "incoming_messages", kIncomingColumns, messages);
  auto stored = stored_rows(tx.exec(kMoveStaged));
  for (auto& plan : plans) {
    auto it = stored.find(plan.id);
    plan.has_results = plan.has_results && !plan.is_repeat && it != stored.end() &&
                       (it->second.status == "accepted" || it->second.status == "incomplete");
  }
  auto rows = result_rows(tx, batch, plans, RowForm::Copy);
  copy_rows(tx, "specimens", kSpecimenColumns, rows.specimens);
  copy_rows(tx, "results", kResultColumns, rows.results);
  copy_rows(tx, "decisions", kDecisionColumns, rows.decisions);
  copy_rows(tx, "shadow_decisions", kDecisionColumns, rows.shadow_decisions);
  copy_rows(tx, "qc_evaluations", kQcEvaluationColumns, rows.qc_evaluations);
  copy_rows(tx, "qc_patient_averages", kPatientAverageColumns, rows.patient_averages);
  lock_specimens_for_outbox(tx, rows.outbox_specimens);
  copy_rows(tx, "outbox", kOutboxColumns, rows.outbox);
  if (!touches.empty()) {
    tx.exec_params(touch_analyzers_statement(1), json_array(touches));
  }
  tx.commit();
  unannounced_.insert(rows.outbox_destinations.begin(), rows.outbox_destinations.end());
  return stored;
}

void BatchWriter::announce_outbox() {
  if (unannounced_.empty() || !is_connected()) {
    return;
  }
  try {
    pqxx::nontransaction n(session_->connection, "announce_outbox");
    n.exec_params("SELECT pg_notify('hemalink_outbox', d) FROM unnest($1::text[]) AS d",
                  text_array(unannounced_));
  } catch (const std::exception& e) {
    spdlog::info("store: the LIS senders were not woken ({}); they find the rows at their poll",
                 e.what());
  }
  unannounced_.clear();
}

BatchWriter::Stored BatchWriter::stored_rows(const pqxx::result& answer) {
  Stored stored;
  for (const auto& row : answer) {
    stored[row[0].as<std::string>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
  }
  return stored;
}

// The analyzers of the batch whose row says less than what they report now, or was touched more
// than a minute ago (a row lock concurrent batches would otherwise wait on, every batch).
std::string BatchWriter::analyzers_to_touch(
    std::span<const StoreRequest* const> batch, const std::vector<Plan>& plans,
    std::vector<std::pair<long long, AnalyzerSeen>>& touched) {
  std::map<long long, const StoreRequest*> latest;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    latest[plans[i].analyzer_id] = batch[i];
  }
  std::string rows;
  for (const auto& [id, request] : latest) {
    const auto& sets = request->content->result_sets;
    AnalyzerSeen seen{std::chrono::steady_clock::now(),
                      sets.empty() ? model::Analyzer{} : sets.front().analyzer};
    if (is_fresh(id, seen)) {
      continue;
    }
    JsonRow(rows, kTouchColumns)
        .integer(id)
        .timestamp(request->receipt.received_at)
        .text(storable(seen.reported.model))
        .text(storable(seen.reported.serial))
        .text(storable(seen.reported.software_version));
    touched.emplace_back(id, std::move(seen));
  }
  return rows;
}

}  // namespace hemalink::store
