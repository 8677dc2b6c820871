#include "server/store/database_result_archive.hpp"

#include <spdlog/spdlog.h>
#include "server/store/epoch_seconds.hpp"

#include <pqxx/pqxx>

namespace hemalink::store {
namespace {

constexpr auto kQuietAfterFailure = std::chrono::seconds(1);

constexpr const char* kPatientResults =
    "SELECT specimen_id, numeric_value, extract(epoch FROM received_at)::float8 FROM results "
    "WHERE patient_id = $1 AND code = $2 AND NOT is_qc AND numeric_value IS NOT NULL "
    "AND received_at >= to_timestamp($3) ORDER BY received_at DESC LIMIT 16";

constexpr const char* kSpecimenResults =
    "SELECT code, numeric_value FROM results WHERE specimen_id = $1 AND NOT is_qc "
    "AND numeric_value IS NOT NULL ORDER BY received_at, id";

}  // namespace

struct DatabaseResultArchive::Connection {
  explicit Connection(const std::string& dsn) : c(dsn) {
    pqxx::nontransaction(c).exec("SET statement_timeout = 2000");
  }
  pqxx::connection c;
};

DatabaseResultArchive::DatabaseResultArchive(std::string dsn) : dsn_(std::move(dsn)) {}

DatabaseResultArchive::~DatabaseResultArchive() = default;

template <typename Read>
auto DatabaseResultArchive::with_connection(Read read)
    -> decltype(read(std::declval<Connection&>())) {
  std::lock_guard lock(mutex_);
  if (std::chrono::steady_clock::now() < quiet_until_)
    return std::nullopt;
  try {
    if (!connection_) {
      connection_ = std::make_unique<Connection>(dsn_);
    }
    return read(*connection_);
  } catch (const std::exception& e) {
    spdlog::warn("rules: previous results cannot be read from the database: {}", e.what());
    connection_.reset();
    quiet_until_ = std::chrono::steady_clock::now() + kQuietAfterFailure;
    return std::nullopt;
  }
}

std::optional<std::vector<DatabaseResultArchive::PatientResult>>
DatabaseResultArchive::patient_results(std::string_view patient_id, std::string_view code,
                                       std::chrono::system_clock::time_point since) {
  return with_connection([&](Connection& c) -> std::optional<std::vector<PatientResult>> {
    pqxx::read_transaction tx(c.c);
    std::vector<PatientResult> out;
    for (const auto& row : tx.exec_params(kPatientResults, std::string(patient_id),
                                          std::string(code), epoch_seconds(since))) {
      out.push_back(
          {row[0].as<std::string>(), row[1].as<double>(), from_epoch_seconds(row[2].as<double>())});
    }
    return out;
  });
}

std::optional<std::vector<DatabaseResultArchive::SpecimenResult>>
DatabaseResultArchive::specimen_results(std::string_view specimen_id) {
  return with_connection([&](Connection& c) -> std::optional<std::vector<SpecimenResult>> {
    pqxx::read_transaction tx(c.c);
    std::vector<SpecimenResult> out;
    for (const auto& row : tx.exec_params(kSpecimenResults, std::string(specimen_id))) {
      out.push_back({row[0].as<std::string>(), row[1].as<double>()});
    }
    return out;
  });
}

}  // namespace hemalink::store
