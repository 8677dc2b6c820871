#include "server/ingest/order_matching.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace hemalink::ingest {
namespace {

constexpr const char* kDecidedBy = "system:orders";

// The first order's patient with an ID, else the first order's.
const model::Patient& patient_of(const std::vector<records::PendingOrder>& orders) {
  for (const auto& o : orders) {
    if (!o.patient.id.empty())
      return o.patient;
  }
  return orders.front().patient;
}

void fill_patient(model::ResultSet& set, const model::Patient& ordered,
                  std::chrono::system_clock::time_point received_at) {
  auto& p = set.patient ? *set.patient : set.patient.emplace();
  if (p.id.empty())
    p.id = ordered.id;
  if (p.sex.empty() || p.sex == "U")
    p.sex = ordered.sex.empty() ? p.sex : ordered.sex;
  if (p.birth_date.empty())
    p.birth_date = ordered.birth_date;
  if (!p.age_years)
    p.age_years = age_on(p.birth_date, received_at);
}

enum class OrderedAs { NotOrdered, Cancelled, Ordered };

// Ordered when any order on the specimen asks for it and has not cancelled it.
OrderedAs ordered_as(const std::vector<records::PendingOrder>& orders, const std::string& code) {
  auto as = OrderedAs::NotOrdered;
  for (const auto& o : orders) {
    for (const auto& t : o.tests) {
      if (!t.is_mapped || t.code != code) {
        continue;  // an unmapped test's code is the LIS's: no result is that test
      }
      if (t.status != "cancelled") {
        return OrderedAs::Ordered;
      }
      as = OrderedAs::Cancelled;
    }
  }
  return as;
}

}  // namespace

std::optional<double> age_on(std::string_view birth_date,
                             std::chrono::system_clock::time_point on) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (birth_date.size() < 8 ||
      std::from_chars(birth_date.data(), birth_date.data() + 4, y).ptr != birth_date.data() + 4 ||
      std::from_chars(birth_date.data() + 4, birth_date.data() + 6, m).ptr !=
          birth_date.data() + 6 ||
      std::from_chars(birth_date.data() + 6, birth_date.data() + 8, d).ptr !=
          birth_date.data() + 8) {
    return std::nullopt;
  }
  const std::chrono::year_month_day born{std::chrono::year(y), std::chrono::month(m),
                                         std::chrono::day(d)};
  if (!born.ok()) {
    return std::nullopt;
  }
  const auto days = std::chrono::floor<std::chrono::days>(on) - std::chrono::sys_days(born);
  if (days.count() < 0) {
    return std::nullopt;
  }
  return static_cast<double>(days.count()) / 365.2425;
}

OrderCheck match_orders(model::ResultSet& set, const std::vector<records::PendingOrder>& orders,
                        const OrderPolicy& policy,
                        std::chrono::system_clock::time_point received_at) {
  OrderCheck check;
  if (orders.empty()) {
    if (policy.hold_specimens_without_order) {
      check.hold_all = fmt::format("no order for specimen {}", set.specimen_id);
    }
    return check;
  }
  const auto& ordered = patient_of(orders);
  if (set.patient && !set.patient->id.empty() && !ordered.id.empty() &&
      set.patient->id != ordered.id) {
    check.hold_all = fmt::format(
        "patient conflict on specimen {}: the analyzer sent patient {}, the order is for {}",
        set.specimen_id, set.patient->id, ordered.id);
    return check;
  }
  fill_patient(set, ordered, received_at);
  if (!policy.hold_results_not_ordered) {
    return check;
  }
  for (std::size_t i = 0; i < set.observations.size(); ++i) {
    const auto& code = set.observations[i].code;
    if (const auto as = ordered_as(orders, code); as != OrderedAs::Ordered) {
      check.hold.emplace_back(
          i, as == OrderedAs::Cancelled
                 ? fmt::format("{} was cancelled by the LIS on specimen {}", code, set.specimen_id)
                 : fmt::format("{} was not ordered on specimen {}", code, set.specimen_id));
    }
  }
  return check;
}

void apply_order_check(const OrderCheck& check, std::vector<model::Decision>& decisions) {
  auto hold = [](model::Decision& d, const std::string& reason) {
    if (d.verdict != model::Verdict::Release) {
      return;
    }
    d.verdict = model::Verdict::Hold;
    d.decided_by = kDecidedBy;
    d.reason = reason;
    d.fired.push_back({"orders", model::RuleAction::Hold, reason, ""});
  };
  if (check.hold_all) {
    for (auto& d : decisions)
      hold(d, *check.hold_all);
  }
  for (const auto& [index, reason] : check.hold) {
    if (index < decisions.size())
      hold(decisions[index], reason);
  }
}

}  // namespace hemalink::ingest
