#include "server/store/thread_connection.hpp"

#include <fmt/format.h>

#include <map>
#include <memory>

namespace hemalink::store {
namespace {

thread_local std::map<std::string, std::unique_ptr<pqxx::connection>, std::less<>> connections;

}  // namespace

std::string with_connect_timeout(const std::string& dsn, int seconds) {
  if (dsn.find("connect_timeout") != std::string::npos) {
    return dsn;
  }
  if (dsn.starts_with("postgres://") || dsn.starts_with("postgresql://")) {
    const char joiner = dsn.find('?') == std::string::npos ? '?' : '&';
    return fmt::format("{}{}connect_timeout={}", dsn, joiner, seconds);
  }
  return fmt::format("connect_timeout={} {}", seconds, dsn);
}

pqxx::connection& thread_connection(const std::string& dsn) {
  auto& c = connections[dsn];
  if (!c || !c->is_open()) {
    c = std::make_unique<pqxx::connection>(with_connect_timeout(dsn, 2));
    pqxx::nontransaction(*c).exec("SET statement_timeout = 5000; SET TimeZone = 'UTC'");
  }
  return *c;
}

void drop_thread_connection(const std::string& dsn) {
  connections.erase(dsn);
}

}  // namespace hemalink::store
