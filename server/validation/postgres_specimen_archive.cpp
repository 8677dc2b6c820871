#include "server/validation/postgres_specimen_archive.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <unordered_map>

#include "server/qc/control_history.hpp"
#include "server/store/epoch_seconds.hpp"
#include "server/store/errc.hpp"
#include "server/store/pg_error.hpp"
#include "server/store/sql_arrays.hpp"
#include "server/store/thread_connection.hpp"

namespace hemalink::validation {

using store::epoch_seconds;
using store::from_epoch_seconds;

namespace {

constexpr const char* kBounds =
    "SELECT extract(epoch FROM min(received_at))::float8,"
    " extract(epoch FROM max(received_at))::float8 FROM specimens s"
    " WHERE s.kind = 'patient' AND s.received_at >= coalesce(to_timestamp($1), '-infinity')"
    " AND s.received_at < coalesce(to_timestamp($2), 'infinity')";

constexpr const char* kCount =
    "SELECT count(*) FROM specimens s WHERE s.kind = 'patient'"
    " AND s.received_at >= coalesce(to_timestamp($1), '-infinity')"
    " AND s.received_at < coalesce(to_timestamp($2), 'infinity')";

// One row per specimen of the window, with the orders on it as they stood when it came: tests
// ordered by then, cancelled only if cancelled by then.
constexpr const char* kSpecimens = R"sql(
SELECT s.id, s.specimen_id, a.name, extract(epoch FROM s.received_at)::float8,
  m.status = 'incomplete', s.patient_id, s.patient_sex, s.patient_birth_date,
  s.patient_age_years::float8, s.is_rerun, s.priority, s.specimen_flags::text, s.sample_type,
  a.driver,
  CASE WHEN $3 THEN (SELECT coalesce(json_agg(json_build_object(
      'id', o.id, 'patient_id', o.patient_id, 'sex', o.patient_sex,
      'birth_date', o.patient_birth_date,
      'tests', (SELECT coalesce(json_agg(json_build_object('id', t.id, 'code', t.code,
                  'mapped', t.is_mapped,
                  'status', CASE WHEN t.status = 'cancelled' AND t.status_at <= s.received_at
                                 THEN 'cancelled' ELSE 'ordered' END) ORDER BY t.id), '[]')
                FROM order_tests t WHERE t.order_id = o.id AND t.ordered_at <= s.received_at))
      ORDER BY o.id), '[]')::text
    FROM orders o WHERE o.specimen_id = s.specimen_id AND o.created_at <= s.received_at)
  ELSE '[]' END
FROM specimens s JOIN analyzers a ON a.id = s.analyzer_id JOIN messages m ON m.id = s.message_id
WHERE s.kind = 'patient' AND s.received_at >= to_timestamp($1) AND s.received_at < to_timestamp($2)
ORDER BY s.received_at, s.id
)sql";

// One row per result of the window's specimens: as stored, its value as the analyzer sent it
// (a correction's before value), its first decision, and the decision in force.
constexpr const char* kResults = R"sql(
SELECT r.specimen_row_id, r.id, r.code, r.raw_code, r.is_mapped, r.value, r.numeric_value,
  r.comparator, r.units, r.status, r.abnormal_flag, to_json(r.flags)::text,
  r.analyzer_judgement, f.decision, f.decided_by, f.rules_fired::text,
  extract(epoch FROM f.decided_at)::float8, c.decision, c.decided_by, c.reason,
  extract(epoch FROM c.decided_at)::float8,
  CASE WHEN c.decision = 'release' AND c.decided_by LIKE 'user:%' THEN
    (SELECT json_build_array(l.before ->> 'value', l.after ->> 'value')::text FROM audit_log l
     WHERE l.entity = 'result' AND l.entity_id = r.id::text AND l.action = 'release'
     ORDER BY l.id LIMIT 1) END
FROM specimens s JOIN results r ON r.specimen_row_id = s.id
LEFT JOIN LATERAL (
  SELECT * FROM (
    (SELECT d.id, d.decision, d.decided_by, d.rules_fired, d.decided_at FROM decisions d
     WHERE d.result_id = r.id AND NOT d.is_current ORDER BY d.id LIMIT 1)
    UNION ALL
    (SELECT d.id, d.decision, d.decided_by, d.rules_fired, d.decided_at FROM decisions d
     WHERE d.result_id = r.id AND d.is_current)) first ORDER BY first.id LIMIT 1) f ON true
LEFT JOIN decisions c ON c.result_id = r.id AND c.is_current
WHERE s.kind = 'patient' AND s.received_at >= to_timestamp($1) AND s.received_at < to_timestamp($2)
ORDER BY s.received_at, s.id, r.id
)sql";

std::optional<double> bound(const std::optional<TimePoint>& at) {
  return at ? std::optional<double>(epoch_seconds(*at)) : std::nullopt;
}

model::Verdict verdict_of(std::string_view text) {
  if (text == "release") {
    return model::Verdict::Release;
  }
  if (text == "rerun") {
    return model::Verdict::Rerun;
  }
  return text == "reject" ? model::Verdict::Reject : model::Verdict::Hold;
}

model::Comparator comparator_of(std::string_view text) {
  if (text == "<") {
    return model::Comparator::Less;
  }
  if (text == "<=") {
    return model::Comparator::LessOrEqual;
  }
  if (text == ">") {
    return model::Comparator::Greater;
  }
  return text == ">=" ? model::Comparator::GreaterOrEqual : model::Comparator::None;
}

model::ResultStatus status_of(std::string_view text) {
  if (text == "preliminary") {
    return model::ResultStatus::Preliminary;
  }
  if (text == "corrected") {
    return model::ResultStatus::Corrected;
  }
  return text == "cannot_report" ? model::ResultStatus::CannotReport : model::ResultStatus::Final;
}

std::optional<double> number_in(const std::string& text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [at, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || at != end) {
    return std::nullopt;
  }
  return value;
}

std::vector<records::PendingOrder> orders_of(const std::string& text) {
  std::vector<records::PendingOrder> out;
  for (const auto& o : nlohmann::json::parse(text)) {
    records::PendingOrder order;
    order.id = o.at("id").get<long long>();
    order.patient.id = o.at("patient_id").get<std::string>();
    order.patient.sex = o.at("sex").get<std::string>();
    order.patient.birth_date = o.at("birth_date").get<std::string>();
    for (const auto& t : o.at("tests")) {
      order.tests.push_back({t.at("id").get<long long>(), t.at("code").get<std::string>(),
                             t.at("status").get<std::string>(), t.at("mapped").get<bool>()});
    }
    out.push_back(std::move(order));
  }
  return out;
}

ArchivedSpecimen specimen_of(const pqxx::row& row) {
  ArchivedSpecimen s;
  s.row_id = row[0].as<long long>();
  s.set.specimen_id = row[1].as<std::string>();
  s.analyzer = row[2].as<std::string>();
  s.received_at = from_epoch_seconds(row[3].as<double>());
  s.is_incomplete = row[4].as<bool>();
  s.set.kind = model::SpecimenKind::Patient;
  auto& p = s.set.patient.emplace();
  p.id = row[5].as<std::string>();
  p.sex = row[6].as<std::string>();
  p.birth_date = row[7].as<std::string>();
  if (!row[8].is_null()) {
    p.age_years = row[8].as<double>();
  }
  s.set.is_rerun = row[9].as<bool>();
  s.set.priority = model::priority_from_code(row[10].as<std::string>());
  for (const auto& f : nlohmann::json::parse(row[11].as<std::string>())) {
    model::SpecimenFlag flag{f.value("name", ""), std::nullopt, f.value("positive", false)};
    if (const auto score = f.find("score"); score != f.end() && score->is_number()) {
      flag.score = score->get<double>();
    }
    s.set.specimen_flags.push_back(std::move(flag));
  }
  s.set.sample_type = row[12].as<std::string>();
  s.set.analyzer.driver = row[13].as<std::string>();
  s.orders = orders_of(row[14].as<std::string>());
  return s;
}

// The rules that fired on it, and whether one of them calculated it.
void read_firings(const std::string& text, ArchivedResult& r) {
  for (const auto& f : nlohmann::json::parse(text)) {
    r.live_fired.push_back(f.value("rule_id", ""));
    r.is_calculated = r.is_calculated || f.value("action", "") == "compute";
  }
}

// What became of the result: the decision in force, and who made it.
void outcome_of(const pqxx::row& row, ArchivedResult& r, model::Observation& o) {
  if (row[17].is_null()) {
    r.outcome = Outcome::Held;
    return;
  }
  const auto decision = verdict_of(row[17].as<std::string>());
  const auto by = row[18].as<std::string>();
  if (!by.starts_with("user:")) {
    r.outcome = decision == model::Verdict::Release  ? Outcome::AutoReleased
                : decision == model::Verdict::Rerun  ? Outcome::AutoRerun
                : decision == model::Verdict::Reject ? Outcome::Rejected
                                                     : Outcome::Held;
    return;
  }
  r.acted_by = by;
  r.comment = row[19].as<std::string>();
  r.outcome = decision == model::Verdict::Release ? Outcome::Released
              : decision == model::Verdict::Rerun ? Outcome::Rerun
                                                  : Outcome::Rejected;
  if (r.outcome == Outcome::Released && !row[21].is_null()) {
    const auto values = nlohmann::json::parse(row[21].as<std::string>());
    const auto before = values[0].is_string() ? values[0].get<std::string>() : o.value;
    const auto after = values[1].is_string() ? values[1].get<std::string>() : o.value;
    if (before != after) {
      r.outcome = Outcome::Corrected;
      o.value = before;
      o.numeric = number_in(before);
    }
  }
  if (r.outcome == Outcome::Released && !row[16].is_null()) {
    const auto waited = row[20].as<double>() - row[16].as<double>();
    r.held_for = std::chrono::seconds(static_cast<long long>(std::max(0.0, waited)));
  }
}

void add_result(const pqxx::row& row, ArchivedSpecimen& s) {
  model::Observation o;
  o.code = row[2].as<std::string>();
  o.raw_code = row[3].as<std::string>();
  o.is_mapped = row[4].as<bool>();
  o.value = row[5].as<std::string>();
  if (!row[6].is_null()) {
    o.numeric = row[6].as<double>();
  }
  o.comparator = comparator_of(row[7].as<std::string>());
  o.units = row[8].as<std::string>();
  o.status = status_of(row[9].as<std::string>());
  o.abnormal_flag = row[10].as<std::string>();
  o.flags = store::json_strings(row[11].as<std::string>());
  o.analyzer_judgement = row[12].as<std::string>();
  ArchivedResult r;
  r.result_id = row[1].as<long long>();
  if (!row[13].is_null()) {
    r.live_verdict = verdict_of(row[13].as<std::string>());
    r.live_decided_by = row[14].as<std::string>();
    read_firings(row[15].as<std::string>(), r);
  }
  outcome_of(row, r, o);
  s.set.observations.push_back(std::move(o));
  s.results.push_back(std::move(r));
}

}  // namespace

struct PostgresSpecimenArchive::Connection {
  explicit Connection(const std::string& dsn) : c(store::with_connect_timeout(dsn, 5)) {}
  pqxx::connection c;
};

PostgresSpecimenArchive::PostgresSpecimenArchive(std::string dsn, std::size_t batch)
    : dsn_(std::move(dsn)), batch_(std::max<std::size_t>(batch, 1)) {}

PostgresSpecimenArchive::~PostgresSpecimenArchive() = default;

template <typename Work>
auto PostgresSpecimenArchive::with_connection(std::string_view during, Work work)
    -> decltype(work(std::declval<Connection&>())) {
  try {
    if (!connection_) {
      connection_ = std::make_unique<Connection>(dsn_);
    }
    return work(*connection_);
  } catch (...) {
    connection_.reset();
    return store::error_from_current_exception(during);
  }
}

Result<long long, Error> PostgresSpecimenArchive::count(const ArchivePeriod& period) {
  return with_connection(
      "counting the archive's specimens", [&](Connection& c) -> Result<long long, Error> {
        pqxx::nontransaction tx(c.c);
        return tx.exec_params1(kCount, bound(period.from), bound(period.to))[0].as<long long>();
      });
}

Result<bool, Error> PostgresSpecimenArchive::has_orders() {
  return with_connection("asking whether the lab takes orders",
                         [&](Connection& c) -> Result<bool, Error> {
                           pqxx::nontransaction tx(c.c);
                           return tx.exec1("SELECT EXISTS (SELECT 1 FROM orders)")[0].as<bool>();
                         });
}

Result<qc::QcHistory, Error> PostgresSpecimenArchive::quality_control(const ArchivePeriod& period) {
  auto timeline = qc::control_timeline(dsn_, period.to);
  if (!timeline) {
    return timeline.error();
  }
  return std::move(*timeline);
}

Result<void, Error> PostgresSpecimenArchive::replay(
    const ArchivePeriod& period,
    const std::function<bool(std::vector<ArchivedSpecimen>& batch)>& take) {
  return with_connection("replaying the archive", [&](Connection& c) -> Result<void, Error> {
    const auto orders = has_orders();
    if (!orders) {
      return orders.error();
    }
    pqxx::nontransaction tx(c.c);
    const auto ends = tx.exec_params1(kBounds, bound(period.from), bound(period.to));
    if (ends[0].is_null()) {
      return {};
    }
    // Just past the last arrival: PostgreSQL keeps microseconds, a double of epoch seconds more.
    double last = ends[1].as<double>() + 0.001;
    if (period.to) {
      last = std::min(last, epoch_seconds(*period.to));  // the last one is before it
    }
    double at = ends[0].as<double>();
    double width = 3600.0;
    while (at < last) {
      const double until = std::min(at + width, last);
      std::vector<ArchivedSpecimen> batch;
      std::unordered_map<long long, std::size_t> index;
      for (const auto& row : tx.exec_params(kSpecimens, at, until, *orders)) {
        index.emplace(row[0].as<long long>(), batch.size());
        batch.push_back(specimen_of(row));
      }
      for (const auto& row : tx.exec_params(kResults, at, until)) {
        if (const auto it = index.find(row[0].as<long long>()); it != index.end()) {
          add_result(row, batch[it->second]);
        }
      }
      if (!batch.empty() && !take(batch)) {
        return {};
      }
      const auto wanted = static_cast<double>(batch_);
      const auto got = std::max<double>(static_cast<double>(batch.size()), 1.0);
      // At most twice as wide as the last: after a quiet night, a busy morning is not read whole.
      width = std::clamp(width * std::min(wanted / got, 2.0), 1.0, 30.0 * 86400.0);
      at = until;
    }
    return {};
  });
}

}  // namespace hemalink::validation
