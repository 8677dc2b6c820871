#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "drivers/model/decision.hpp"
#include "drivers/model/result_set.hpp"
#include "server/records/pending_order.hpp"

namespace hemalink::ingest {

/// What the lab wants done with results the orders do not account for (configuration "orders").
struct OrderPolicy {
  bool hold_results_not_ordered = true;  ///< A result of a test no order on its specimen asks.
  bool hold_specimens_without_order = true;
};

/// The orders of a batch's specimens, read at once; nullopt when they cannot be read now.
using OrderLookup = std::function<std::optional<std::vector<records::PendingOrder>>(
    const std::vector<std::string>& specimen_ids)>;

/// What the orders say about one patient result set, worked out before its rules run.
struct OrderCheck {
  std::optional<std::string> hold_all;  ///< No order, a patient conflict, orders unreadable.
  std::vector<std::pair<std::size_t, std::string>> hold;  ///< Observation index, reason.
};

/// Matches a patient result set to the orders on its specimen. What the analyzer did not send of
/// the patient is taken from the order (ID, sex, birth date, and the age at `received_at` from
/// the birth date), so that age- and sex-specific rules and delta checks work for analyzers that
/// send none (a Sysmex XN usually); what it sent stays. A different patient ID on the order holds
/// every result (the tube may be mislabelled). Results of tests no order asks (or that the LIS
/// cancelled), and specimens with no order, are held as `policy` says.
OrderCheck match_orders(model::ResultSet& set, const std::vector<records::PendingOrder>& orders,
                        const OrderPolicy& policy,
                        std::chrono::system_clock::time_point received_at);

/// After the rules: every result the check holds is held with its reason (a rule's rerun or
/// reject stands; a release does not).
void apply_order_check(const OrderCheck& check, std::vector<model::Decision>& decisions);

/// Age in years on `on` of someone born on `birth_date` (YYYYMMDD); nullopt when it is no date
/// or lies after `on`.
std::optional<double> age_on(std::string_view birth_date, std::chrono::system_clock::time_point on);

}  // namespace hemalink::ingest
