#include "server/lis/outbox_marks.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <vector>

namespace hemalink::lis {

using store::make_error_code;
using store::StoreErrc;
using store::StoreError;

namespace {

constexpr const char* kSetUp =
    "SET synchronous_commit = off; SET statement_timeout = 30000;"
    " SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off";

}  // namespace

DeliveredMarks::DeliveredMarks(std::string dsn, const char* statement, int parameter_count)
    : dsn_(std::move(dsn)), statement_(statement), parameter_count_(parameter_count) {}

DeliveredMarks::~DeliveredMarks() {
  drop();
}

void DeliveredMarks::drop() {
  if (connection_ != nullptr) {
    PQfinish(connection_);
    connection_ = nullptr;
  }
  pending_.reset();
}

StoreError DeliveredMarks::failure(const std::string& during) {
  const bool is_lost = connection_ == nullptr || PQstatus(connection_) != CONNECTION_OK;
  std::string why = connection_ == nullptr ? "no connection" : PQerrorMessage(connection_);
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) {
    why.pop_back();
  }
  StoreError error{make_error_code(is_lost ? StoreErrc::Retryable : StoreErrc::Fatal),
                   fmt::format("{}: {}", during, why)};
  drop();
  return error;
}

Result<void, StoreError> DeliveredMarks::connect() {
  if (connection_ != nullptr) {
    return {};
  }
  connection_ = PQconnectdb(dsn_.c_str());
  if (PQstatus(connection_) != CONNECTION_OK) {
    return failure("connecting to mark delivered outbox rows");
  }
  PGresult* set_up = PQexec(connection_, kSetUp);
  const bool is_set_up = PQresultStatus(set_up) == PGRES_COMMAND_OK;
  PQclear(set_up);
  PGresult* prepared = PQprepare(connection_, "delivered", statement_, parameter_count_, nullptr);
  const bool is_prepared = PQresultStatus(prepared) == PGRES_COMMAND_OK;
  PQclear(prepared);
  if (!is_set_up || !is_prepared) {
    return failure("preparing to mark delivered outbox rows");
  }
  return {};
}

Result<void, StoreError> DeliveredMarks::hand(const std::string* values, const bool* is_binary,
                                              std::string what) {
  if (auto settled = settle(); !settled) {
    return settled;
  }
  if (auto connected = connect(); !connected) {
    return connected;
  }
  std::vector<const char*> pointers(parameter_count_);
  std::vector<int> lengths(parameter_count_);
  std::vector<int> formats(parameter_count_);
  for (int i = 0; i < parameter_count_; ++i) {
    pointers[i] = values[i].c_str();
    lengths[i] = static_cast<int>(values[i].size());
    formats[i] = is_binary[i] ? 1 : 0;
  }
  // Blocking mode: this returns once the whole statement is written.
  if (PQsendQueryPrepared(connection_, "delivered", parameter_count_, pointers.data(),
                          lengths.data(), formats.data(), 0) != 1) {
    return failure(what);
  }
  pending_ = std::move(what);
  return {};
}

Result<void, StoreError> DeliveredMarks::settle() {
  if (!pending_) {
    return {};
  }
  const auto what = std::move(*pending_);
  pending_.reset();
  bool is_ok = true;
  std::string why;
  while (PGresult* result = PQgetResult(connection_)) {
    if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK) {
      is_ok = false;
      why = PQresultErrorMessage(result);
    }
    PQclear(result);
  }
  if (PQstatus(connection_) != CONNECTION_OK) {
    return failure(what);
  }
  if (!is_ok) {
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) {
      why.pop_back();
    }
    return StoreError{make_error_code(StoreErrc::Fatal), fmt::format("{}: {}", what, why)};
  }
  return {};
}

}  // namespace hemalink::lis
