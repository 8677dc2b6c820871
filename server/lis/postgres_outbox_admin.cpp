#include "server/lis/postgres_outbox_admin.hpp"

#include <fmt/format.h>

#include <pqxx/pqxx>

#include "server/store/json_documents.hpp"
#include "server/store/pg_error.hpp"
#include "server/store/sql_arrays.hpp"
#include "server/store/thread_connection.hpp"

namespace hemalink::lis {

using store::json_integers;
using store::make_error_code;
using store::on_thread_connection;
using store::StoreErrc;
using store::StoreError;
using store::thread_connection;

namespace {

constexpr const char* kColumns =
    "id, destination, specimen_id, status, attempts, control_id, last_error, claimed_by,"
    " to_json(created_at) #>> '{}', to_json(next_attempt_at) #>> '{}',"
    " coalesce(to_json(sent_at) #>> '{}', ''), array_to_json(result_ids)::text,"
    " array_to_json(corrects)::text, coalesce(payload, ''::bytea)";

constexpr const char* kOutbox =
    "SELECT coalesce(json_agg(json_build_object('outbox_id', id, 'destination', destination,"
    " 'specimen_id', specimen_id, 'status', status, 'attempts', attempts,"
    " 'result_ids', result_ids, 'corrects', corrects, 'control_id', control_id,"
    " 'last_error', last_error, 'claimed_by', claimed_by, 'created_at', created_at,"
    " 'next_attempt_at', next_attempt_at, 'sent_at', sent_at) ORDER BY id DESC), '[]')::text"
    " FROM (SELECT * FROM outbox WHERE ($1::text IS NULL OR status = $1)"
    " AND ($2::text IS NULL OR destination = $2) ORDER BY id DESC LIMIT $3) o";

// The row's state before and after a change, for audit_log.
constexpr const char* kAuditState =
    "jsonb_build_object('status', status, 'attempts', attempts, 'last_error', last_error)";

OutboxRow read_row(const pqxx::row& r) {
  OutboxRow o;
  o.id = r[0].as<long long>();
  o.destination = r[1].as<std::string>();
  o.specimen_id = r[2].as<std::string>();
  o.status = r[3].as<std::string>();
  o.attempts = r[4].as<int>();
  o.control_id = r[5].as<std::string>();
  o.last_error = r[6].as<std::string>();
  o.claimed_by = r[7].as<std::string>();
  o.created_at = r[8].as<std::string>();
  o.next_attempt_at = r[9].as<std::string>();
  o.sent_at = r[10].as<std::string>();
  o.result_ids = json_integers(r[11].as<std::string>());
  o.corrects = json_integers(r[12].as<std::string>());
  o.payload = pqxx::binarystring(r[13]).str();
  return o;
}

// The calling thread's connection: kept for the next call (the API's threads make many).
template <typename Work>
auto with_connection(const std::string& dsn, std::string_view during, Work work)
    -> decltype(work(std::declval<pqxx::connection&>())) {
  return on_thread_connection(dsn, during, std::move(work));
}

}  // namespace

Result<std::vector<OutboxRow>, StoreError> PostgresOutboxAdmin::list(
    const OutboxFilter& filter) const {
  return with_connection(
      dsn_, "listing the outbox",
      [&](pqxx::connection& c) -> Result<std::vector<OutboxRow>, StoreError> {
        pqxx::read_transaction tx(c);
        std::vector<OutboxRow> rows;
        const auto sql = fmt::format(
            "SELECT {} FROM outbox WHERE ($1 = '' OR destination = $1) AND ($2 = '' OR status = "
            "$2) ORDER BY id DESC LIMIT $3",
            kColumns);
        for (const auto& r :
             tx.exec_params(sql, filter.destination.value_or(""), filter.status.value_or(""),
                            static_cast<long long>(filter.limit))) {
          rows.push_back(read_row(r));
        }
        return rows;
      });
}

Result<std::string, Error> PostgresOutboxAdmin::list_json(const OutboxFilter& filter) const {
  return store::one_document(dsn_, "listing the outbox", kOutbox, filter.status, filter.destination,
                             static_cast<long long>(filter.limit));
}

Result<std::optional<OutboxRow>, StoreError> PostgresOutboxAdmin::show(long long id) const {
  return with_connection(dsn_, fmt::format("reading outbox row {}", id),
                         [&](pqxx::connection& c) -> Result<std::optional<OutboxRow>, StoreError> {
                           pqxx::read_transaction tx(c);
                           const auto r = tx.exec_params(
                               fmt::format("SELECT {} FROM outbox WHERE id = $1", kColumns), id);
                           if (r.empty()) {
                             return std::optional<OutboxRow>{};
                           }
                           return std::optional<OutboxRow>{read_row(r[0])};
                         });
}

Result<void, StoreError> PostgresOutboxAdmin::resend(long long id, const std::string& actor) const {
  return with_connection(
      dsn_, fmt::format("sending outbox row {} again", id),
      [&](pqxx::connection& c) -> Result<void, StoreError> {
        pqxx::work tx(c);
        const auto before = tx.exec_params(
            fmt::format("SELECT status, {} FROM outbox WHERE id = $1 FOR UPDATE", kAuditState), id);
        if (before.empty()) {
          return StoreError{make_error_code(StoreErrc::Conflict),
                            fmt::format("outbox row {}: no such row", id)};
        }
        if (before[0][0].as<std::string>() == "pending") {
          return StoreError{make_error_code(StoreErrc::Conflict),
                            fmt::format("outbox row {} is pending already", id)};
        }
        const auto after = tx.exec_params1(
            fmt::format("UPDATE outbox SET status = 'pending', attempts = 0, last_error = '',"
                        " next_attempt_at = now(), sent_at = NULL WHERE id = $1 RETURNING {}",
                        kAuditState),
            id);
        tx.exec_params(
            "INSERT INTO audit_log (actor, action, entity, entity_id, before, after)"
            " VALUES ($1, 'resend', 'outbox', $2, $3::jsonb, $4::jsonb)",
            actor, std::to_string(id), before[0][1].as<std::string>(), after[0].as<std::string>());
        tx.commit();
        return {};
      });
}

Result<long long, StoreError> PostgresOutboxAdmin::retry_dead(
    const std::optional<std::string>& destination, const std::string& actor) const {
  return with_connection(
      dsn_, "sending dead outbox rows again",
      [&](pqxx::connection& c) -> Result<long long, StoreError> {
        pqxx::work tx(c);
        const auto revived = tx.exec_params(
            fmt::format("WITH dead AS (SELECT id, {} AS before FROM outbox WHERE status = 'dead'"
                        " AND ($1 = '' OR destination = $1) FOR UPDATE),"
                        " revived AS (UPDATE outbox o SET status = 'pending', attempts = 0,"
                        " last_error = '', next_attempt_at = now() FROM dead WHERE o.id = dead.id"
                        " RETURNING o.id, dead.before, jsonb_build_object('status', o.status,"
                        " 'attempts', o.attempts, 'last_error', o.last_error) AS after)"
                        " INSERT INTO audit_log (actor, action, entity, entity_id, before, after)"
                        " SELECT $2, 'retry_dead', 'outbox', id::text, before, after FROM revived"
                        " RETURNING entity_id",
                        kAuditState),
            destination.value_or(""), actor);
        tx.commit();
        return static_cast<long long>(revived.size());
      });
}

Result<std::vector<OutboxDepth>, StoreError> PostgresOutboxAdmin::depths() const {
  return with_connection(
      dsn_, "counting the outbox",
      [&](pqxx::connection& c) -> Result<std::vector<OutboxDepth>, StoreError> {
        pqxx::read_transaction tx(c);
        std::vector<OutboxDepth> out;
        for (const auto& r :
             tx.exec("SELECT destination, count(*) FILTER (WHERE status = 'pending'),"
                     " count(*) FILTER (WHERE status = 'dead'),"
                     " coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status ="
                     " 'pending'))::float8, 0) FROM outbox WHERE status <> 'sent'"
                     " GROUP BY destination ORDER BY destination")) {
          out.push_back({r[0].as<std::string>(), r[1].as<long long>(), r[2].as<long long>(),
                         r[3].as<double>()});
        }
        return out;
      });
}

}  // namespace hemalink::lis
