#include "server/rules/postgres_rule_set_versions.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/rules/errc.hpp"
#include "server/store/thread_connection.hpp"

namespace hemalink::rules {
namespace {

using nlohmann::json;
using store::on_thread_connection;

constexpr const char* kColumns =
    "id, version, status, author, reason, to_json(created_at) #>> '{}',"
    " to_json(status_changed_at) #>> '{}', backtest_id, promotion_comment, content_hash";

// The content's hash as the table's comment defines it: SHA-256 of its JSON text.
constexpr const char* kHashOf = "encode(sha256(convert_to($1::jsonb::text, 'UTF8')), 'hex')";

// Every status change takes it first, so the checks (one live, one shadow) see committed moves.
constexpr const char* kLock = "SELECT pg_advisory_xact_lock(hashtext('rule_set_versions'))";

Error refusal(VersionErrc code, std::string detail) {
  return {make_error_code(code), std::move(detail)};
}

RuleSetVersion read_row(const pqxx::row& r) {
  RuleSetVersion v;
  v.id = r[0].as<long long>();
  v.version = r[1].as<std::string>();
  v.status = version_status_of(r[2].as<std::string>()).value_or(VersionStatus::Draft);
  v.author = r[3].as<std::string>();
  v.reason = r[4].as<std::string>();
  v.created_at = r[5].as<std::string>();
  v.status_changed_at = r[6].as<std::string>();
  if (!r[7].is_null())
    v.backtest_id = r[7].as<long long>();
  v.promotion_comment = r[8].as<std::string>();
  v.content_hash = r[9].as<std::string>();
  return v;
}

std::string content_json(const std::vector<RuleSource>& sources) {
  json files = json::array();
  for (const auto& s : sources)
    files.push_back({{"name", s.name}, {"text", s.text}});
  return files.dump();
}

std::vector<RuleSource> content_of(const std::string& text) {
  std::vector<RuleSource> out;
  for (const auto& f : json::parse(text))
    out.push_back({f.value("name", ""), f.value("text", "")});
  return out;
}

std::string named(const RuleSetVersion& v) {
  return fmt::format("rule set version {} ({})", v.id, v.version);
}

RuleSetVersion row_of(pqxx::work& tx, long long id) {
  return read_row(
      tx.exec_params1(fmt::format("SELECT {} FROM rule_set_versions WHERE id = $1", kColumns), id));
}

void audit(pqxx::work& tx, const std::string& actor, long long id, VersionStatus from,
           const json& after) {
  tx.exec_params(
      "INSERT INTO audit_log (actor, action, entity, entity_id, before, after)"
      " VALUES ($1, $2, 'rule_set_version', $3, $4::jsonb, $5::jsonb)",
      actor, "rule_set_" + after.at("status").get<std::string>(), std::to_string(id),
      json{{"status", to_string(from)}}.dump(), after.dump());
}

// Moves `v` to `to` and audits it; `extra` goes into the audit row's after.
RuleSetVersion move(pqxx::work& tx, const RuleSetVersion& v, VersionStatus to,
                    const std::string& actor, json extra = json::object()) {
  tx.exec_params(
      "UPDATE rule_set_versions SET status = $2, status_changed_at = now() WHERE id = $1", v.id,
      std::string(to_string(to)));
  extra["status"] = to_string(to);
  extra["version"] = v.version;
  audit(tx, actor, v.id, v.status, extra);
  return row_of(tx, v.id);
}

// Why the lifecycle refuses `from` -> `to` for `v`; nullopt when it allows it.
std::optional<Error> lifecycle_refusal(const RuleSetVersion& v, VersionStatus to) {
  if (v.status == to)
    return refusal(VersionErrc::MoveNotAllowed,
                   fmt::format("{} is {} already", named(v), to_string(to)));
  if (v.status == VersionStatus::Retired)
    return refusal(VersionErrc::MoveNotAllowed,
                   fmt::format("{} is retired: a retired version stays retired", named(v)));
  if (v.status == VersionStatus::Live)
    return refusal(
        VersionErrc::MoveNotAllowed,
        fmt::format("{} is live: a live version is retired only by another going live", named(v)));
  return std::nullopt;
}

// Why the backtest does not let `v` go live; nullopt when it does.
std::optional<Error> evidence_refusal(pqxx::work& tx, const RuleSetVersion& v,
                                      const StatusChange& change) {
  if (!change.backtest_id)
    return refusal(
        VersionErrc::NoBacktest,
        fmt::format("{} goes live only with a backtest of it: none was given", named(v)));
  const auto id = *change.backtest_id;
  const auto rows = tx.exec_params(
      "SELECT status, candidate_version, false_negatives, error,"
      " (report ->> 'results')::bigint FROM rule_backtests WHERE id = $1",
      id);
  if (rows.empty())
    return refusal(VersionErrc::NoBacktest, fmt::format("backtest {}: no such backtest", id));
  const auto status = rows[0][0].as<std::string>();
  if (status == "running")
    return refusal(VersionErrc::BacktestNotDone, fmt::format("backtest {} is still running", id));
  if (status != "done")
    return refusal(VersionErrc::BacktestNotDone,
                   fmt::format("backtest {} failed: {}", id, rows[0][3].as<std::string>()));
  const auto of = rows[0][1].as<std::string>();
  if (of != v.version)
    return refusal(VersionErrc::BacktestOfAnotherVersion,
                   fmt::format("backtest {} is of version {}, not {}", id, of, v.version));
  if (rows[0][2].is_null())
    return refusal(VersionErrc::BacktestNotDone,
                   fmt::format("backtest {} is done but counted no false negatives", id));
  if (!rows[0][4].is_null() && rows[0][4].as<long long>() == 0)
    return refusal(VersionErrc::EmptyBacktest,
                   fmt::format("backtest {} replayed no result (an empty period, or analyzers "
                               "that measured nothing): it is no evidence",
                               id));
  const auto false_negatives = rows[0][2].as<long long>();
  const bool has_comment = change.comment.find_first_not_of(" \t\r\n") != std::string::npos;
  if (false_negatives > 0 && !has_comment)
    return refusal(VersionErrc::FalseNegativesUnexplained,
                   fmt::format("backtest {} found {} would-be false negative{}: an admin's "
                               "override comment is required",
                               id, false_negatives, false_negatives == 1 ? "" : "s"));
  return std::nullopt;
}

std::optional<RuleSetVersion> holder_of(pqxx::work& tx, VersionStatus status) {
  const auto rows =
      tx.exec_params(fmt::format("SELECT {} FROM rule_set_versions WHERE status = $1", kColumns),
                     std::string(to_string(status)));
  if (rows.empty())
    return std::nullopt;
  return read_row(rows[0]);
}

// The previous live version retired, then `v` live with its evidence; both audited.
RuleSetVersion go_live(pqxx::work& tx, const RuleSetVersion& v, const StatusChange& change) {
  if (auto previous = holder_of(tx, VersionStatus::Live))
    move(tx, *previous, VersionStatus::Retired, change.actor, {{"replaced_by", v.id}});
  tx.exec_params(
      "UPDATE rule_set_versions SET backtest_id = $2, promotion_comment = $3 WHERE id = $1", v.id,
      change.backtest_id, change.comment);
  json evidence{{"comment", change.comment}};
  evidence["backtest_id"] =
      change.backtest_id ? json(*change.backtest_id) : json(nullptr);  // null at a first start
  return move(tx, v, VersionStatus::Live, change.actor, evidence);
}

Result<std::optional<RuleSetVersion>, Error> find_where(const std::string& dsn,
                                                        std::string_view during,
                                                        const std::string& condition,
                                                        const std::string& value) {
  return on_thread_connection(
      dsn, during, [&](pqxx::connection& c) -> Result<std::optional<RuleSetVersion>, Error> {
        pqxx::read_transaction tx(c);
        const auto rows =
            tx.exec_params(fmt::format("SELECT {}, content::text FROM rule_set_versions WHERE {}",
                                       kColumns, condition),
                           value);
        if (rows.empty())
          return std::optional<RuleSetVersion>();
        auto v = read_row(rows[0]);
        v.content = content_of(rows[0][10].as<std::string>());
        return std::optional(std::move(v));
      });
}

}  // namespace

Result<RuleSetVersion, Error> PostgresRuleSetVersions::store(const std::vector<RuleSource>& sources,
                                                             const std::string& version,
                                                             const std::string& author,
                                                             const std::string& reason,
                                                             StoreAs as) const {
  return on_thread_connection(
      dsn_, fmt::format("storing rule set version {}", version),
      [&](pqxx::connection& c) -> Result<RuleSetVersion, Error> {
        pqxx::work tx(c);
        tx.exec(kLock);
        const auto content = content_json(sources);
        const auto inserted = tx.exec_params(
            fmt::format("INSERT INTO rule_set_versions (content, content_hash, version, author,"
                        " reason) VALUES ($1::jsonb, {}, $2, $3, $4)"
                        " ON CONFLICT (version) DO NOTHING RETURNING id",
                        kHashOf),
            content, version, author, reason);
        const auto found = tx.exec_params1(
            fmt::format("SELECT id, content_hash = {} FROM rule_set_versions WHERE version = $2",
                        kHashOf),
            content, version);
        auto v = row_of(tx, found[0].as<long long>());
        if (!found[1].as<bool>())
          return refusal(VersionErrc::VersionClash,
                         fmt::format("{} is stored with other content (its hash {})", named(v),
                                     v.content_hash));
        if (!inserted.empty()) {
          tx.exec_params(
              "INSERT INTO audit_log (actor, action, entity, entity_id, before, after)"
              " VALUES ($1, 'rule_set_stored', 'rule_set_version', $2, NULL, $3::jsonb)",
              author, std::to_string(v.id),
              json{{"status", "draft"}, {"version", version}, {"reason", reason}}.dump());
        }
        if (as == StoreAs::LiveWhenNoneIs && v.status == VersionStatus::Draft &&
            !holder_of(tx, VersionStatus::Live)) {
          v = go_live(tx, v, {v.id, VersionStatus::Live, std::nullopt, "", author});
        }
        tx.commit();
        return v;
      });
}

Result<std::vector<RuleSetVersion>, Error> PostgresRuleSetVersions::list() const {
  return on_thread_connection(
      dsn_, "listing the rule set versions",
      [&](pqxx::connection& c) -> Result<std::vector<RuleSetVersion>, Error> {
        pqxx::read_transaction tx(c);
        std::vector<RuleSetVersion> out;
        for (const auto& r :
             tx.exec(fmt::format("SELECT {} FROM rule_set_versions ORDER BY id DESC", kColumns))) {
          out.push_back(read_row(r));
        }
        return out;
      });
}

Result<std::optional<RuleSetVersion>, Error> PostgresRuleSetVersions::find(
    const std::string& id_or_version) const {
  const bool is_id = !id_or_version.empty() && id_or_version.size() < 19 &&
                     id_or_version.find_first_not_of("0123456789") == std::string::npos;
  return find_where(dsn_, fmt::format("reading rule set version {}", id_or_version),
                    is_id ? "id = $1::bigint" : "version = $1", id_or_version);
}

Result<std::optional<RuleSetVersion>, Error> PostgresRuleSetVersions::live() const {
  return find_where(dsn_, "reading the live rule set version", "status = $1", "live");
}

Result<RuleSetVersion, Error> PostgresRuleSetVersions::change_status(
    const StatusChange& change) const {
  return on_thread_connection(
      dsn_, fmt::format("moving rule set version {} to {}", change.id, to_string(change.to)),
      [&](pqxx::connection& c) -> Result<RuleSetVersion, Error> {
        pqxx::work tx(c);
        tx.exec(kLock);
        const auto rows = tx.exec_params(
            fmt::format("SELECT {} FROM rule_set_versions WHERE id = $1", kColumns), change.id);
        if (rows.empty())
          return refusal(VersionErrc::NoSuchVersion,
                         fmt::format("rule set version {}: no such version", change.id));
        const auto v = read_row(rows[0]);
        if (auto refused = lifecycle_refusal(v, change.to))
          return *refused;
        if (change.to == VersionStatus::Shadow) {
          if (auto shadow = holder_of(tx, VersionStatus::Shadow))
            return refusal(VersionErrc::ShadowTaken,
                           fmt::format("{} is in shadow already (at most one is): move it to "
                                       "draft or retired first",
                                       named(*shadow)));
        }
        if (change.to == VersionStatus::Live) {
          if (auto refused = evidence_refusal(tx, v, change))
            return *refused;
        }
        auto after = change.to == VersionStatus::Live ? go_live(tx, v, change)
                                                      : move(tx, v, change.to, change.actor);
        tx.commit();
        return after;
      });
}

}  // namespace hemalink::rules
