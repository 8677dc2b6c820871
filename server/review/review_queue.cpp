#include "server/review/review_queue.hpp"

#include <fmt/format.h>

#include <charconv>

#include "server/review/result_rerun.hpp"
#include "server/store/outbox_order.hpp"
#include "server/store/thread_connection.hpp"

namespace hemalink::review {

using store::on_thread_connection;
using store::queue_released_results;
using store::StoreError;
using store::thread_connection;

using records::LisRoutes;

namespace {

constexpr const char* kQueue = R"sql(
WITH held AS (
  SELECT d.result_id, d.decided_at, d.decided_by, d.reason, d.rules_fired
  FROM decisions d JOIN results hr ON hr.id = d.result_id
  JOIN specimens hs ON hs.id = hr.specimen_row_id
  WHERE d.is_current AND d.decision = 'hold' AND hs.kind = 'patient'
  ORDER BY d.decided_at, d.result_id LIMIT $1),
specimen_groups AS (
  SELECT min(h.decided_at) AS held_since, min(r.id) AS first_result,
    s.priority = 'stat' AS is_stat, json_build_object(
    'specimen_row_id', s.id, 'specimen_id', s.specimen_id, 'analyzer', a.name, 'kind', s.kind,
    'priority', s.priority,
    'patient_id', s.patient_id, 'patient_sex', s.patient_sex,
    'patient_birth_date', s.patient_birth_date, 'patient_age_years', s.patient_age_years,
    'received_at', s.received_at, 'specimen_flags', s.specimen_flags, 'comments', s.comments,
    'attachments', s.attachments,
    'held_since', min(h.decided_at),
    'results', json_agg(json_build_object(
      'result_id', r.id, 'code', r.code, 'value', r.value, 'numeric_value', r.numeric_value,
      'units', r.units, 'comments', r.comments,
      'reference_range', r.reference_range, 'abnormal_flag', r.abnormal_flag, 'flags', r.flags,
      'status', r.status, 'held_at', h.decided_at, 'decided_by', h.decided_by,
      'reason', h.reason, 'rules_fired', h.rules_fired,
      'previous', (SELECT coalesce(json_agg(json_build_object(
                     'result_id', p.id, 'specimen_id', p.specimen_id, 'value', p.value,
                     'numeric_value', p.numeric_value, 'units', p.units,
                     'received_at', p.received_at)
                     ORDER BY p.received_at DESC), '[]')
                   FROM (SELECT * FROM results p
                         WHERE p.patient_id <> '' AND p.patient_id = r.patient_id
                         AND p.code = r.code AND NOT p.is_qc AND p.received_at < r.received_at
                         ORDER BY p.received_at DESC LIMIT 3) p))
      ORDER BY r.id)) AS doc
  FROM held h JOIN results r ON r.id = h.result_id
  JOIN specimens s ON s.id = r.specimen_row_id JOIN analyzers a ON a.id = s.analyzer_id
  GROUP BY s.id, a.name)
SELECT coalesce(json_agg(doc ORDER BY is_stat DESC, held_since, first_result), '[]')::text
FROM specimen_groups
)sql";

// A control's result is judged on the QC page, a calibrator's only stored: neither by a review
// action.
constexpr const char* kSpecimenOf =
    "SELECT json_build_object('result_id', r.id, 'specimen_id', s.specimen_id, 'kind', s.kind)"
    "::text, s.kind = 'patient' FROM results r JOIN specimens s ON s.id = r.specimen_row_id"
    " WHERE r.id = $1";

constexpr const char* kRetireHold =
    "UPDATE decisions SET is_current = false"
    " WHERE result_id = $1 AND is_current AND decision = 'hold'"
    " RETURNING json_build_object('decision', decision, 'decided_by', decided_by,"
    " 'reason', reason, 'decided_at', decided_at)::text";

constexpr const char* kCurrent =
    "SELECT coalesce((SELECT json_build_object('result_id', d.result_id, 'decision', d.decision,"
    " 'decided_by', d.decided_by, 'reason', d.reason, 'decided_at', d.decided_at)::text"
    " FROM decisions d WHERE d.result_id = r.id AND d.is_current), '{}')"
    " FROM results r WHERE r.id = $1";

constexpr const char* kDecide =
    "INSERT INTO decisions (result_id, decision, decided_by, reason) VALUES ($1, $2, $3, $4)"
    " RETURNING decided_at";

constexpr const char* kValueOf = "SELECT value FROM results WHERE id = $1";

constexpr const char* kCorrect =
    "UPDATE results SET value = $2, numeric_value = $3, comparator = '' WHERE id = $1";

constexpr const char* kAudit =
    "INSERT INTO audit_log (actor, action, entity, entity_id, before, after)"
    " VALUES ($1, $2, 'result', $3::text, $4::jsonb || jsonb_build_object('value', $5::text),"
    " jsonb_build_object('decision', $2::text, 'reason', $6::text, 'value', $7::text))";

constexpr const char* kAnswer =
    "SELECT json_build_object('result_id', d.result_id, 'specimen_row_id', r.specimen_row_id,"
    " 'code', r.code, 'decision', d.decision,"
    " 'decided_by', d.decided_by, 'reason', d.reason, 'decided_at', d.decided_at,"
    " 'value', r.value, 'queued', coalesce((SELECT json_agg(o.id ORDER BY o.id) FROM outbox o"
    "   WHERE o.specimen_row_id = r.specimen_row_id AND r.id = ANY (o.result_ids)"
    "   AND o.created_at = now()), '[]'))::text"
    " FROM decisions d JOIN results r ON r.id = d.result_id"
    " WHERE d.result_id = $1 AND d.is_current";

std::optional<double> number_in(const std::string& text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [at, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || at != end)
    return std::nullopt;
  return value;
}

ReviewAnswer apply(pqxx::work& tx, const LisRoutes& routes, const ReviewAction& a) {
  const auto specimen = tx.exec_params(kSpecimenOf, a.result_id);
  if (specimen.empty())
    return {ReviewOutcome::NoSuchResult, "", ""};
  if (!specimen[0][1].as<bool>())
    return {ReviewOutcome::NotAPatientResult, specimen[0][0].as<std::string>(), ""};
  const auto retired = tx.exec_params(kRetireHold, a.result_id);
  if (retired.empty())
    return {ReviewOutcome::NotHeld, tx.exec_params1(kCurrent, a.result_id)[0].as<std::string>(),
            ""};
  const auto verdict = to_string(a.verdict);
  tx.exec_params(kDecide, a.result_id, verdict, a.actor, a.comment);
  const auto before_value = tx.exec_params1(kValueOf, a.result_id)[0].as<std::string>();
  auto after_value = before_value;
  if (a.verdict == ReviewVerdict::Release && a.corrected_value) {
    after_value = *a.corrected_value;
    tx.exec_params(kCorrect, a.result_id, after_value, number_in(after_value));
  }
  tx.exec_params(kAudit, a.actor, verdict, a.result_id, retired[0][0].as<std::string>(),
                 before_value, a.comment, after_value);
  if (a.verdict == ReviewVerdict::Release)
    queue_released_results(tx, routes, {a.result_id});
  const auto ordered_again = a.verdict == ReviewVerdict::Rerun
                                 ? order_result_again(tx, a.result_id, a.actor, a.comment)
                                 : std::string();
  return {ReviewOutcome::Applied, tx.exec_params1(kAnswer, a.result_id)[0].as<std::string>(),
          ordered_again};
}

}  // namespace

const char* to_string(ReviewVerdict verdict) {
  switch (verdict) {
    case ReviewVerdict::Release:
      return "release";
    case ReviewVerdict::Rerun:
      return "rerun";
    case ReviewVerdict::Reject:
      break;
  }
  return "reject";
}

Result<std::string, StoreError> review_queue_json(const std::string& dsn, std::size_t limit) {
  return on_thread_connection(
      dsn, "reading the review queue", [&](pqxx::connection& c) -> Result<std::string, StoreError> {
        pqxx::read_transaction tx(c);
        return tx.exec_params1(kQueue, static_cast<long long>(limit))[0].as<std::string>();
      });
}

Result<ReviewAnswer, StoreError> apply_review_action(const std::string& dsn,
                                                     const LisRoutes& routes,
                                                     const ReviewAction& action) {
  return on_thread_connection(
      dsn, fmt::format("deciding result {} ({})", action.result_id, to_string(action.verdict)),
      [&](pqxx::connection& c) -> Result<ReviewAnswer, StoreError> {
        pqxx::work tx(c);
        auto answer = apply(tx, routes, action);
        tx.commit();
        return answer;
      });
}

Result<std::vector<ReviewAnswer>, StoreError> apply_review_actions(
    const std::string& dsn, const LisRoutes& routes, const std::vector<ReviewAction>& actions) {
  return on_thread_connection(
      dsn, fmt::format("deciding {} results together", actions.size()),
      [&](pqxx::connection& c) -> Result<std::vector<ReviewAnswer>, StoreError> {
        pqxx::work tx(c);
        std::vector<long long> results;
        for (const auto& action : actions) {
          results.push_back(action.result_id);
        }
        store::lock_specimens_of_results(tx, results);  // all first, in the one order
        std::vector<ReviewAnswer> answers;
        answers.reserve(actions.size());
        for (const auto& action : actions) {
          answers.push_back(apply(tx, routes, action));
        }
        tx.commit();
        return answers;
      });
}

}  // namespace hemalink::review
