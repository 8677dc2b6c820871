#include "server/qc/qc_definitions.hpp"

#include <pqxx/pqxx>

#include "server/store/thread_connection.hpp"

namespace hemalink::qc {

using store::on_thread_connection;
using store::StoreError;
using store::thread_connection;

namespace {

constexpr const char* kColumns =
    "analyzer, test, material, level, lot, sample, target_mean, target_sd, establish_runs,"
    " reason, changed_by, to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

template <typename T>
std::optional<T> optional_of(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<T>(f.as<T>());
}

QcDefinitionRow read_row(const pqxx::row& r) {
  QcDefinitionRow d;
  d.analyzer = r[0].as<std::string>();
  d.test = r[1].as<std::string>();
  d.material = r[2].as<std::string>();
  d.level = r[3].as<std::string>();
  d.lot = r[4].as<std::string>();
  d.sample = r[5].as<std::string>();
  d.mean = optional_of<double>(r[6]);
  d.sd = optional_of<double>(r[7]);
  d.establish_runs = optional_of<int>(r[8]);
  d.reason = r[9].as<std::string>();
  d.changed_by = r[10].as<std::string>();
  d.changed_at = r[11].as<std::string>();
  return d;
}

}  // namespace

Result<std::vector<QcDefinitionRow>, StoreError> qc_definitions(const std::string& dsn) {
  return on_thread_connection(
      dsn, "reading the control definitions put through the API",
      [&](pqxx::connection& c) -> Result<std::vector<QcDefinitionRow>, StoreError> {
        pqxx::read_transaction tx(c);
        std::vector<QcDefinitionRow> out;
        for (const auto& row :
             tx.exec(std::string("SELECT ") + kColumns + " FROM qc_definitions ORDER BY id")) {
          out.push_back(read_row(row));
        }
        return out;
      });
}

Result<QcDefinitionRow, StoreError> put_qc_definition(const std::string& dsn,
                                                      const QcDefinitionRow& d) {
  return on_thread_connection(
      dsn, "putting a control definition",
      [&](pqxx::connection& c) -> Result<QcDefinitionRow, StoreError> {
        pqxx::work tx(c);
        const auto row = tx.exec_params1(
            std::string("INSERT INTO qc_definitions (analyzer, test, material, level, lot, sample,"
                        " target_mean, target_sd, establish_runs, reason, changed_by)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                        " ON CONFLICT (analyzer, test, material, level, lot) DO UPDATE SET"
                        " sample = EXCLUDED.sample, target_mean = EXCLUDED.target_mean,"
                        " target_sd = EXCLUDED.target_sd, establish_runs = EXCLUDED.establish_runs,"
                        " reason = EXCLUDED.reason, changed_by = EXCLUDED.changed_by,"
                        " changed_at = now() RETURNING ") +
                kColumns,
            d.analyzer, d.test, d.material, d.level, d.lot, d.sample, d.mean, d.sd,
            d.establish_runs, d.reason, d.changed_by);
        tx.commit();
        return read_row(row);
      });
}

}  // namespace hemalink::qc
